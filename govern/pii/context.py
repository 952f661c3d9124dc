"""Context words: presidio's lemma context enhancer with an indexed token lookup.

presidio finds the token under a result by walking the doc from its first token and tests
each neighbouring lemma against the keyword *list*, so on a 4,000-character text every
result with context costs a walk over ~1,000 tokens. The same search as a bisection over
token end offsets, and the same test against a set, give the same context words.
"""
from __future__ import annotations

from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer


class IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Reads `token_at` and `keyword_set` from govern's lazy NLP artifacts; falls back to
    presidio's own search on any other artifacts."""

    def _extract_surrounding_words(self, nlp_artifacts, word: str, start: int) -> list[str]:
        if not hasattr(nlp_artifacts, "token_at"):
            return super()._extract_surrounding_words(nlp_artifacts, word, start)
        if not nlp_artifacts.tokens:
            return [""]
        index = nlp_artifacts.token_at(start)
        if index is None:
            raise ValueError("Did not find word '" + word + "' in the list of tokens although "
                             "it is expected to be found")
        lemmas, keywords = nlp_artifacts.lemmas, nlp_artifacts.keyword_set
        words = (_near(index, self.context_prefix_count, lemmas, keywords, -1)
                 + _near(index, self.context_suffix_count, lemmas, keywords, 1))
        return list(set(words))


def _near(index: int, n_words: int, lemmas: list[str], keywords: set[str], step: int) -> list[str]:
    """presidio's `_add_n_words`: up to n_words + 1 keyword lemmas from index on, one way."""
    out, i, remaining = [], index, n_words + 1
    while 0 <= i < len(lemmas) and remaining > 0:
        lower = lemmas[i].lower()
        if lower in keywords:
            out.append(lower)
            remaining -= 1
        i += step
    return out
