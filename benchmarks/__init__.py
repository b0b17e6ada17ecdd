"""Rota's benchmarks: planner quality and speed."""
