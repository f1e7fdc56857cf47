"""Factories for content models, shared by the tests and the demo-content command."""

import wagtail_factories
from factory import Faker

from .models import HomePage


class HomePageFactory(wagtail_factories.PageFactory):
    title = Faker("sentence", nb_words=4)
    lead = Faker("sentence", nb_words=12)
    body = "<p>Demo text.</p>"

    class Meta:
        model = HomePage
