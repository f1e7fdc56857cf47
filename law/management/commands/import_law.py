from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Locale

from content.models import HomePage
from law import importer
from law.models import LawPage


class Command(BaseCommand):
    help = (
        "Import a law from its official plain text (UTF-8 or GB18030) into a law page, as a "
        "new revision. Without --page, the Chinese law page with the same title is updated, "
        "or a new one is made under the Chinese home page. Nothing changes when the text has "
        "an error (the line is named) or is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the official text, one provision per line")
        parser.add_argument("--page", type=int, help="the id of the law page to update")
        parser.add_argument(
            "--publish", action="store_true", help="publish the new revision at once"
        )

    def handle(self, *args, file, page=None, publish=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            law_text = importer.parsed(importer.read_text(path.read_bytes()))
        except importer.ImportRefused as error:
            raise CommandError(f"{file}: {error}") from None
        if page is not None:
            target = LawPage.objects.filter(pk=page).first()
            if target is None:
                raise CommandError(f"No law page has the id {page}.")
        else:
            chinese = Locale.objects.filter(language_code="zh-hans").first()
            target = LawPage.objects.filter(title=law_text.title, locale=chinese).first()
        if target is None:
            home = HomePage.objects.filter(locale__language_code="zh-hans").first()
            if home is None:
                raise CommandError("There is no Chinese home page to put the law under.")
            target = importer.create_law(home, law_text, publish=publish)
            self.stdout.write(f"Created {target.title} (page {target.pk}).")
            return
        revision = importer.import_into(target, law_text, publish=publish)
        if revision is None:
            self.stdout.write(f"{target.title} already holds this text; nothing changed.")
        else:
            state = "published" if publish else "saved as a draft revision to review"
            self.stdout.write(f"Updated {target.title} (page {target.pk}): {state}.")
