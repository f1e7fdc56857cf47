from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.ReportView.as_view(), name="report"),
    path("receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("status/reply/", views.reply, name="reply"),
    path("status/evidence/", views.add_evidence, name="add_evidence"),
    path("status/leave/", views.lock, name="leave"),
]
