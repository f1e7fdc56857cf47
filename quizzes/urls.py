from django.urls import path

from . import certificate_views, views

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/start/", views.start, name="start"),
    path("<int:quiz_id>/question/<int:position>/", views.question, name="question"),
    path("<int:quiz_id>/result/", views.result, name="result"),
    path("<int:quiz_id>/leaderboard/", views.leaderboard, name="leaderboard"),
    path("<int:quiz_id>/certificate.pdf", certificate_views.download, name="certificate"),
    path("certificates/", certificate_views.verify, name="verify"),
]
