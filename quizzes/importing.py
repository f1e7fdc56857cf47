"""Questions from a spreadsheet (CSV or XLSX): every row is read and checked before anything
is created, and one bad row refuses the whole file, with a sentence per bad row. The
questions are created as drafts with a revision, so moderation applies to them as to any
question written in the admin; an editor who may publish can publish them at once."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.log_actions import log

from law.numerals import chinese_to_int
from portal.text import decode_text_file

from .bank_rules import citation_problems, option_problems
from .models import (
    EXPLANATION_MAX_LENGTH,
    OPTION_KEYS,
    OPTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    Question,
    QuestionOption,
)

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
MAX_SHEET_ROWS = 2 * MAX_ROWS + 1
# Wider sheets are cut here: no column of ours lies beyond it, and a crafted sheet with a
# million columns is not read cell by cell.
MAX_COLUMNS = 40
# What a workbook of at most MAX_BYTES may unpack to: a sheet of 1000 questions is a few MB,
# while a crafted one compresses a gigabyte of repeated text into less than a megabyte.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
# A cell starting so is a formula to a spreadsheet: refused, so that no question brings one
# into the sheets editors download (the answer statistics' CSV) or hides one's value.
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")
TAG_MAX_LENGTH = 100
LOG_ACTION = "quizzes.import"

# Each column's headers, in English and in Chinese, compared without case or spaces.
COLUMNS = {
    "kind": ("kind", "type", "题型"),
    "question": ("question", "题目", "题干"),
    **{key: (key.lower(), f"option{key.lower()}", f"选项{key.lower()}") for key in OPTION_KEYS},
    "answer": ("answer", "答案"),
    "explanation": ("explanation", "解析"),
    "article": ("article", "条"),
    "paragraph": ("paragraph", "款"),
    "item": ("item", "项"),
    "topics": ("topics", "主题"),
}
REQUIRED = ("kind", "question", "answer", "explanation", "article")
KINDS = {
    "single": Question.Kind.SINGLE,
    "单选": Question.Kind.SINGLE,
    "单选题": Question.Kind.SINGLE,
    "multiple": Question.Kind.MULTIPLE,
    "多选": Question.Kind.MULTIPLE,
    "多选题": Question.Kind.MULTIPLE,
    "true_false": Question.Kind.TRUE_FALSE,
    "truefalse": Question.Kind.TRUE_FALSE,
    "判断": Question.Kind.TRUE_FALSE,
    "判断题": Question.Kind.TRUE_FALSE,
}
TRUE_WORDS = {"对", "正确", "是", "true", "t", "√", "✓"}
FALSE_WORDS = {"错", "错误", "否", "false", "f", "×", "✗"}
TOPIC_SEPARATORS = re.compile(r"[,，、;；]")
ANSWER_SEPARATORS = re.compile(r"[\s,，、;；]+")
_SPACES = re.compile(r"\s+")
NOT_A_NUMBER = {
    "article": gettext_lazy("the article “%(value)s” is not a number"),
    "paragraph": gettext_lazy("the paragraph “%(value)s” is not a number"),
    "item": gettext_lazy("the item “%(value)s” is not a number"),
}
TOO_LARGE = {
    "article": gettext_lazy("the article %(value)s is too large"),
    "paragraph": gettext_lazy("the paragraph %(value)s is too large"),
    "item": gettext_lazy("the item %(value)s is too large"),
}


class ImportRefused(Exception):
    """The file or some of its rows are wrong; `errors` says which. Nothing was created."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    question: Question
    options: list = field(default_factory=list)  # [(text, right)]
    topics: list = field(default_factory=list)


def _refuse(message):
    raise ImportRefused([message])


# Reading the file


def _text(value):
    """A cell as text: 22.0 (how a spreadsheet stores 22) as 22, TRUE as true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data):
    text = decode_text_file(data)
    if text is None:
        _refuse(_("The file is not text in UTF-8 or GB18030. Save it as CSV or XLSX."))
    if "\x00" in text:
        _refuse(_("The file is not a CSV file. Save the sheet as CSV or XLSX."))
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        _refuse(_("The file is not valid CSV: %s") % error)


def _read_xlsx(data):
    # Imported on the first spreadsheet, not with the admin: few workers ever read one.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(_("The file is not an XLSX workbook. Save it again as XLSX or as CSV."))
    if unpacked > MAX_UNPACKED_BYTES:
        _refuse(_("The workbook unpacks to more than 20 MB. Split it into several files."))
    try:
        # Not data_only: a formula is read as itself (=…) and refused, rather than as the
        # value a spreadsheet last saved with it, or as nothing when none was saved.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        _refuse(_("The file is not an XLSX workbook. Save it again as XLSX or as CSV."))
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append([_text(value) for value in values])
            # Blank rows count here: a sheet of a million empty rows stops early, refused
            # rather than read in part.
            if len(rows) > MAX_SHEET_ROWS:
                _refuse(
                    _(
                        "The sheet has more than %(limit)s rows, blank ones included. Import "
                        "at most %(questions)s questions at a time."
                    )
                    % {"limit": MAX_SHEET_ROWS, "questions": MAX_ROWS}
                )
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        _refuse(_("The file is not an XLSX workbook. Save it again as XLSX or as CSV."))
    finally:
        book.close()


def read_rows(name, data):
    """[(line, [cells])] of the file's first sheet, blank rows left out; the header first."""
    if len(data) > MAX_BYTES:
        _refuse(_("The file is larger than 1 MB. Split it into several files."))
    suffix = name.lower().rpartition(".")[2] if "." in name else ""
    if suffix == "xls":
        _refuse(_("The old Excel format (XLS) is not read. Save the sheet as XLSX or CSV."))
    is_xlsx = suffix == "xlsx" or data[:4] == b"PK\x03\x04"
    rows = _read_xlsx(data) if is_xlsx else _read_csv(data)
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(cell for cell in row)]
    if not numbered:
        _refuse(_("The file is empty."))
    formulas = [
        _(
            "Row %(line)s: a cell begins with =, +, @ or a tab, which spreadsheets read as a "
            "formula. Paste the value itself, or start the cell differently."
        )
        % {"line": line}
        for line, row in numbered
        if any(cell.startswith(FORMULA_STARTS) for cell in row)
    ]
    if formulas:
        raise ImportRefused(formulas)
    return numbered


def _columns(header):
    names = [_SPACES.sub("", cell).lower() for cell in header]
    columns = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                columns[key] = names.index(alias)
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        _refuse(
            _("The first row must name the columns; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return columns


# Reading a row


def _number(value, unit):
    """22, 第二十二条, 二十二 -> 22; 第（三）项, （三）, 3 -> 3. None when empty; ValueError
    when it is not a number."""
    value = _SPACES.sub("", value)
    if not value:
        return None
    value = value.removeprefix("第").removesuffix(unit)
    value = value.strip("（）()")
    number = int(value) if value.isdigit() else chinese_to_int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _in_sentence(problem):
    """A rule's sentence as a part of a row's message: "Row 5: a single-choice question …"."""
    problem = problem.rstrip(".。")
    return problem[:1].lower() + problem[1:]


def _row(line, cell, *, law, locale):
    """The question a row describes, and the problems that keep it out."""
    problems = []
    question = Question(law=law, locale=locale)
    kind_text = cell("kind")
    kind = KINDS.get(_SPACES.sub("", kind_text).lower())
    if kind is None:
        problems.append(
            _("the kind “%(value)s” is not single, multiple or true_false (单选, 多选, 判断)")
            % {"value": kind_text}
            if kind_text
            else _("the kind is empty")
        )
    question.kind = kind or Question.Kind.SINGLE
    question.text = cell("question")
    if not question.text:
        problems.append(_("the question is empty"))
    elif len(question.text) > QUESTION_MAX_LENGTH:
        problems.append(
            _("the question is longer than %(limit)s characters") % {"limit": QUESTION_MAX_LENGTH}
        )
    question.explanation = cell("explanation")
    if not question.explanation:
        problems.append(_("the explanation is empty"))
    elif len(question.explanation) > EXPLANATION_MAX_LENGTH:
        problems.append(
            _("the explanation is longer than %(limit)s characters")
            % {"limit": EXPLANATION_MAX_LENGTH}
        )
    # Options in their columns' order; a gap (A, B, D) keeps the letters the file gave.
    given = [(key, cell(key)) for key in OPTION_KEYS if cell(key)]
    for key, text in given:
        if len(text) > OPTION_MAX_LENGTH:
            problems.append(
                _("option %(key)s is longer than %(limit)s characters")
                % {"key": key, "limit": OPTION_MAX_LENGTH}
            )
    answer = cell("answer")
    options = [(text, False) for _key, text in given]
    answer_read = False
    if not answer:
        problems.append(_("the answer is empty"))
    elif kind == Question.Kind.TRUE_FALSE:
        word = _SPACES.sub("", answer).lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            question.statement_is_true = word in TRUE_WORDS
            answer_read = True
        else:
            problems.append(
                _("the answer “%(value)s” is not 对 or 错 (true or false)") % {"value": answer}
            )
    elif kind is not None:
        keys = "".join(ANSWER_SEPARATORS.split(answer.upper()))
        offered = {key for key, _text in given}
        wrong = [key for key in dict.fromkeys(keys) if key not in offered]
        if wrong:
            problems.append(
                _("the answer %(keys)s is not one of the options") % {"keys": "".join(wrong)}
            )
        else:
            options = [(text, key in keys) for key, text in given]
            answer_read = True
    if answer_read:
        problems += [_in_sentence(problem) for problem in option_problems(kind, options)]
    for name, unit in (("article", "条"), ("paragraph", "款"), ("item", "项")):
        value = cell(name)
        try:
            number = _number(value, unit)
        except ValueError:
            problems.append(NOT_A_NUMBER[name] % {"value": value})
            continue
        if number is not None and number > (9999 if name == "article" else 99):
            problems.append(TOO_LARGE[name] % {"value": value})
            continue
        setattr(question, name, number)
    if not cell("article"):
        problems.append(_("the article is empty"))
    topics = [name.strip() for name in TOPIC_SEPARATORS.split(cell("topics")) if name.strip()]
    if any(len(name) > TAG_MAX_LENGTH for name in topics):
        problems.append(
            _("a topic is longer than %(limit)s characters") % {"limit": TAG_MAX_LENGTH}
        )
    return Row(line=line, question=question, options=options, topics=topics), problems


def _message(line, problems):
    return _("Row %(line)s: %(problems)s.") % {"line": line, "problems": _("; ").join(problems)}


def parse(name, data, *, law, locale):
    """[Row] of the file, checked; ImportRefused naming every bad row when any is bad."""
    numbered = read_rows(name, data)
    _line, header = numbered[0]
    columns = _columns(header)
    body = numbered[1:]
    if not body:
        _refuse(_("The file has a header but no rows."))
    if len(body) > MAX_ROWS:
        _refuse(_("At most %(limit)s questions at a time.") % {"limit": MAX_ROWS})

    errors, rows = [], []
    found = {}
    for line, cells in body:

        def cell(key, cells=cells):
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row, problems = _row(line, cell, law=law, locale=locale)
        found[line] = problems
        rows.append(row)
    # The citations in one query for the whole file, once each row's numbers are read.
    checkable = [row for row in rows if row.question.article]
    for index, problems in citation_problems(row.question for row in checkable).items():
        found[checkable[index].line] += [_in_sentence(problem) for problem in problems]
    for row in rows:
        if found[row.line]:
            errors.append(_message(row.line, found[row.line]))
    if errors:
        raise ImportRefused(errors)
    return rows


@transaction.atomic
def import_questions(name, data, *, law, locale, user=None, publish=False):
    """Create the file's questions as drafts, each with a revision, or none when any row is
    wrong. `publish`: publish each at once (the caller checked the user may)."""
    rows = parse(name, data, law=law, locale=locale)
    created = []
    for row in rows:
        question = row.question
        question.live = False
        question.has_unpublished_changes = True
        question.options = [
            QuestionOption(text=text, correct=correct, sort_order=index)
            for index, (text, correct) in enumerate(row.options)
        ]
        if row.topics:
            question.tags.set(row.topics)
        question.save()
        revision = question.save_revision(user=user)
        log(question, LOG_ACTION, user=user, revision=revision, data={"file": name[:200]})
        if publish:
            revision.publish(user=user)
        created.append(question)
    return created
