from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rota.rotas.selectors import rotas_visible_to


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "rotas/home.html", {"rotas": rotas_visible_to(request.user)})
