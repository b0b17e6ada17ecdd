"""Serializers: they parse input and render output; the rules live in services/selectors."""
