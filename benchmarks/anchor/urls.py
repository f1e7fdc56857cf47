from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import include, path

from captcha.fields import CaptchaField

from .models import Row

FORM = engines["django"].from_string(
    "<!doctype html><title>form</title><form method=post>{% csrf_token %}{{ form }}"
    "<button>send</button></form>"
)


class RowForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea, max_length=5000)
    captcha = CaptchaField()


def hello(request):
    return HttpResponse("Hello, world")


def form(request):
    if request.method == "POST":
        bound = RowForm(request.POST)
        if bound.is_valid():
            Row.objects.create(text=bound.cleaned_data["text"])
            return redirect("/done/")
    else:
        bound = RowForm()
    return HttpResponse(FORM.render({"form": bound}, request))


def done(request):
    return HttpResponse("thank you")


urlpatterns = [
    path("", hello),
    path("form/", form),
    path("done/", done),
    path("captcha/", include("captcha.urls")),
]
