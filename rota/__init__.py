"""Rota: fair, time-zone-aware duty rotas for open-source communities.

The Celery app is loaded by the rotas app's AppConfig.ready(), not here, so that the pure
planning engine (rota.engine) can be imported without Django or Celery.
"""
