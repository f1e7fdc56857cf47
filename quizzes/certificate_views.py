"""The certificate of a finished competition attempt, and the page that confirms one."""

from django.http import Http404


def download(request, quiz_id):
    raise Http404


def verify(request):
    raise Http404
