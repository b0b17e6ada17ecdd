"""Pages of the rota domain, one module per sub-domain: the rota list and a contributor's rotas,
duties, swaps, and the account-facing pages (sign-up, profile, time off).

Every view parses input with a form, calls one service or selector and renders; permission
checks are in the services (PermissionDenied).
"""
