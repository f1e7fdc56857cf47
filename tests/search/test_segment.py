import shutil

from django.conf import settings

from search import segment


def test_law_terms_are_cut_as_one_word():
    assert segment.query_terms("扫黑除恶") == ["扫黑除恶"]
    assert segment.query_terms("黑社会性质组织") == ["黑社会性质组织"]
    assert segment.query_terms("举报套路贷线索") == ["举报", "套路贷", "线索"]


def test_index_text_has_words_inner_words_and_characters():
    tokens = segment.index_text("学习反有组织犯罪法").split()
    assert "反有组织犯罪法" in tokens
    assert {"有组织犯罪", "组织", "犯罪"} <= set(tokens)
    assert {"反", "有", "组", "织", "犯", "罪", "法"} <= set(tokens)


def test_punctuation_and_control_characters_never_reach_the_index_or_a_query():
    assert segment.query_terms("！？。，%'\"*()\x00\x07") == []
    assert segment.query_terms("' OR 1=1; --") == ["or", "1"]
    assert segment.index_text("“举报”，《线索》") == "举报 举 报 线索 线 索"


def test_full_width_letters_and_case_are_normalised():
    assert segment.query_terms("ＲＥＰＯＲＴ Clue") == ["report", "clue"]


def test_the_dictionary_files_live_under_var():
    assert segment.dictionary().folder.is_relative_to(settings.VAR_DIR)


def test_every_term_in_the_list_is_one_word():
    for term in segment.terms():
        assert segment.query_terms(term) == [term]


def test_a_var_folder_that_cannot_be_written_falls_back_to_a_private_folder(
    tmp_path, settings, monkeypatch, caplog
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.VAR_DIR = blocked  # var/cache/... cannot be made under a file
    monkeypatch.setattr(segment, "_dictionary", None)
    assert segment.query_terms("举报套路贷线索") == ["举报", "套路贷", "线索"]
    folder = segment.dictionary().folder
    shutil.rmtree(folder)
    assert not folder.is_relative_to(blocked)
    assert folder.name.startswith("search-dictionary-")
    assert "build_search_dictionary" in caplog.text
