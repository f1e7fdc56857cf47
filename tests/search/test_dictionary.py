"""The memory-mapped dictionary cuts exactly as the stock jieba tokenizer the portal used before,
with the same terms added in the same order."""

import logging
import re
from pathlib import Path

import pytest

from search import dictionary, segment

ROOT = Path(__file__).resolve().parent.parent.parent
HAN = re.compile("[\u4e00-\u9fff]")


def chinese_sentences():
    """Real Chinese text: the portal's own translations, the demo pages, stories and law, and
    Django's and Wagtail's translations; each message or string literal whole, punctuation,
    Latin letters, digits and spaces included."""
    sentences = []
    catalogues = [ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"]
    import django

    import wagtail

    for package in (Path(django.__file__).parent, Path(wagtail.__file__).parent):
        catalogues += sorted(package.glob("**/locale/zh_Hans/LC_MESSAGES/*.po"))
    for catalogue in catalogues:
        text = catalogue.read_text(encoding="utf-8")
        sentences += re.findall(r'^msgstr(?:\[\d\])? "(.+)"$', text, re.MULTILINE)
    for module in ("law/demo.py", "content/demo.py", "content/demo_pages.py",
                   "content/demo_stories.py"):  # fmt: skip
        text = (ROOT / module).read_text(encoding="utf-8")
        sentences += re.findall(r'"([^"\n]*[\u4e00-\u9fff][^"\n]*)"', text)
    sentences = [sentence for sentence in sentences if HAN.search(sentence)]
    sentences += segment.terms()
    sentences += [
        "举报套路贷线索 ABC123 abc 12.5% C++ #3 a-b_c\r\n换行\t制表  两个空格",
        "ＲＥＰＯＲＴ全角字母ｘ与１２３数字",
        "2026年11月28日，某县公安局破获一起“保护伞”案件（涉案金额3.5亿元）。",
        "𠀀𪚥扩展区汉字与〇和々",
        # Dictionary words that start with a Latin letter, side by side and beside letters.
        "T恤B超AA制QQ群ab T恤x B超12",
        "",
    ]
    return sentences


@pytest.fixture(scope="module")
def stock():
    """jieba's own tokenizer, set up as search/segment.py set it up before."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    for term in segment.terms():
        tokenizer.add_word(term)
    return tokenizer


@pytest.fixture(scope="module")
def compact(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dictionary")
    dictionary.build(folder)
    return dictionary.Dictionary(folder)


def test_the_sentences_are_many_and_chinese():
    sentences = chinese_sentences()
    assert len(sentences) > 3000
    assert sum(map(len, sentences)) > 30_000


def test_cuts_are_jiebas(stock, compact):
    differences = []
    for sentence in chinese_sentences():
        cut, expected = list(compact.cut(sentence)), list(stock.cut(sentence, HMM=False))
        if cut != expected:
            differences.append((sentence, cut, expected))
    assert differences == []


def test_frequencies_and_total_are_jiebas(stock, compact):
    assert compact.total == stock.total
    assert len(compact.words) == len(stock.FREQ)
    # Every word and word prefix of the dictionary, and strings that are not in it.
    for word, frequency in stock.FREQ.items():
        assert compact.frequency(word) == frequency, word
    for absent in ("", "不存在的词语组合", "zzzz", "举报套路贷线索"):
        assert compact.frequency(absent) == stock.FREQ.get(absent, 0)


def test_index_text_is_as_before(stock):
    """What the index receives, inner words included, is what stock jieba gave."""
    sentence = "学习反有组织犯罪法，发现涉黑涉恶线索请及时举报"
    words = [w for w in stock.cut(segment.normalize(sentence), HMM=False) if w.strip()]
    expected = []
    for word in words:
        expected.append(word)
        if len(word) > 1:
            expected += segment._inner_words(word, lambda part: stock.FREQ.get(part))
            expected += list(word)
    assert segment.index_text(sentence).split() == expected


def test_the_files_are_built_once(tmp_path):
    words, frequencies = dictionary.build(tmp_path)
    stamps = words.stat().st_mtime_ns, frequencies.stat().st_mtime_ns
    assert dictionary.build(tmp_path) == (words, frequencies)
    assert (words.stat().st_mtime_ns, frequencies.stat().st_mtime_ns) == stamps


def test_changed_terms_make_new_files(tmp_path, monkeypatch):
    words, _frequencies = dictionary.build(tmp_path)
    terms = tmp_path / "terms.txt"
    terms.write_text(dictionary.TERMS.read_text(encoding="utf-8") + "打黑除恶新词\n", "utf-8")
    monkeypatch.setattr(dictionary, "TERMS", terms)
    new_words, _frequencies = dictionary.build(tmp_path)
    assert new_words != words
    assert list(dictionary.Dictionary(tmp_path).cut("打黑除恶新词")) == ["打黑除恶新词"]


def test_a_missing_dictionary_is_built_in_another_process(tmp_path):
    folder = tmp_path / "var" / "cache"
    with pytest.raises(FileNotFoundError):
        dictionary.Dictionary(folder)
    dictionary.build_in_subprocess(folder)
    assert list(dictionary.Dictionary(folder).cut("举报套路贷线索")) == ["举报", "套路贷", "线索"]
