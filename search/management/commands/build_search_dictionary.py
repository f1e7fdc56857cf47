from django.core.management.base import BaseCommand

from search import dictionary, segment


class Command(BaseCommand):
    help = (
        "Make the search's word dictionary files under var/cache/ (PORTAL_VAR_DIR) unless they "
        "are there. Run when deploying, where the running portal cannot write var/; otherwise "
        "the first search or indexing makes them."
    )

    def handle(self, *args, **options):
        words, frequencies = dictionary.build(segment.dictionary_dir())
        self.stdout.write(self.style.SUCCESS(f"Search dictionary: {words}, {frequencies}"))
