from django.urls import path

from . import views

app_name = "posters"

# Printed on paper for years: these paths never change.
urlpatterns = [
    path("<str:code>/", views.scan, name="scan"),
    path("<str:code>/qr.svg", views.qr_svg, name="qr_svg"),
    path("<str:code>/qr.png", views.qr_png, name="qr_png"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
]
