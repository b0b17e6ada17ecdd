"""The REST API under /api/v1/ (docs/api.md): thin views and serializers over the same
services and selectors as the pages."""
