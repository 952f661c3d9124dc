"""spaCy's greedy NER decoder, vectorised over a batch of docs.

spaCy 3.8 decodes NER one token at a time in a Cython loop that takes and drops the GIL for
every validity check of every action (Cython 3's exception checks on `StateC`'s accessors):
about 30 us per token, more than half of a scan's NER time. In spaCy's BILUO transition system
every action consumes exactly one token, so all docs of a batch advance together: step t
scores token t of every doc still running, with spaCy's own hidden layer (`state2vec`, the
same C summation of precomputed features) and output layer (BLIS, as spaCy's loop), sets
the same actions invalid, and takes the first best valid action. Same model, same arithmetic,
same entities; tests compare every doc against `nlp.pipe`.

It decodes docs fresh from the tokenizer only (no preset entities or sentence starts); any
other pipeline or model architecture goes through spaCy's own loop.
"""
from __future__ import annotations

import numpy as np

MOVES = "MBILUO"  # spaCy's BILUO move names by id: missing, begin, in, last, unit, out
BEGIN, IN, LAST, UNIT, OUT = 1, 2, 3, 4, 5
# Decoded both ways when a decoder is made: a spaCy release that changed what this module
# relies on falls back to spaCy's own loop instead of giving other entities.
SAMPLE = ["Sarah Connor flew from Los Angeles to Berlin on Monday with Acme Corp.",
          "  ask\n\nJohn   Smith at Google in New York  ", "Paris"]


class GreedyNer:
    """Annotates `doc.ents` of a batch of tokenizer docs as spaCy's `ner` component would."""

    def __init__(self, ner):
        self.ner = ner
        moves = ner.moves
        names = [moves.get_class_name(i) for i in range(moves.n_moves)]
        self.move = np.array([MOVES.index(n[0]) for n in names])
        tags = [n.partition("-")[2] for n in names]
        self.labels = sorted({t for t in tags if t})
        self.label = np.array([self.labels.index(t) + 1 if t else 0 for t in tags])
        self.penalty = self._penalties()

    @classmethod
    def for_pipeline(cls, nlp) -> GreedyNer | None:
        """The decoder for a pipeline that is only a greedy BILUO `ner` with spaCy's
        transition-based model (every en_core_web_* CNN model), else None."""
        if nlp.pipe_names != ["ner"]:
            return None
        ner = nlp.get_pipe("ner")
        model = ner.model
        try:
            ok = (type(ner.moves).__name__ == "BiluoPushDown" and ner.cfg.get("beam_width") == 1
                  and model.name == "parser_model" and model.attrs.get("has_upper")
                  and model.layers[1].get_dim("nF") == 3 and model.layers[1].get_dim("nP") >= 2)
        except (AttributeError, IndexError, KeyError, ValueError):
            ok = False
        if not ok:
            return None
        decoder = cls(ner)
        return decoder if decoder._agrees(nlp) else None

    def _agrees(self, nlp) -> bool:
        try:
            ours = self([nlp.make_doc(t) for t in SAMPLE])
        except Exception:  # an internal spaCy changed: its own loop still works
            return False
        return _ents(ours) == _ents(nlp.pipe(SAMPLE))

    def _penalties(self) -> np.ndarray:
        """0 for a valid action and -inf for an invalid one, per kind of state (state_kind).
        The rules are spaCy's `ner.pyx` for docs without preset entities or sentence starts."""
        move, label = self.move, self.label
        named = label != 0
        rows = []
        for two in (False, True):
            for space in (False, True):
                rows.append(((move == BEGIN) & named & two & (not space))
                            | ((move == UNIT) & named & (not space)) | (move == OUT))
        for lab in range(1, len(self.labels) + 1):
            for two in (False, True):
                same = label == lab
                rows.append(((move == IN) & same & two) | ((move == LAST) & same))
        return np.where(rows, 0.0, -np.inf).astype("f")

    def valid(self, open_label: int, two_left: bool, space: bool) -> np.ndarray:
        """Which actions are valid in one state (for tests against spaCy's own rules)."""
        return self.penalty[state_kind(open_label, two_left, space)] == 0

    def __call__(self, docs: list) -> list:
        from spacy.tokens import Span
        docs = list(docs)
        # an entity still open when a doc ends is not kept (spaCy's set_annotations skips it)
        for doc, spans in zip(docs, self._decode(docs)):
            doc.set_ents([Span(doc, s, e, label=lab) for s, e, lab in spans], default="outside")
        return docs

    def _decode(self, docs: list) -> list[list[tuple[int, int, str]]]:
        """(start token, end token, label) of each doc's entities."""
        import blis.py
        from spacy.attrs import IS_SPACE
        lengths = np.array([len(d) for d in docs])
        found: list[list] = [[] for _ in docs]
        if not docs or lengths.max() == 0:
            return found
        step = self.ner.model.predict(docs)  # tok2vec and the precomputed hidden layer
        hidden, upper = step.state2vec, step.vec2scores
        weights, bias = upper.get_param("W"), upper.get_param("b")
        unseen = np.nonzero(step._class_mask == 0)[0]
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        space = np.concatenate([d.to_array([IS_SPACE]).reshape(-1) for d in docs]).astype(int)
        open_label = np.zeros(len(docs), dtype=int)  # label id of each doc's open entity, 0: none
        start = np.zeros(len(docs), dtype=int)  # first token of the open entity
        ids = np.empty((len(docs), 3), dtype="i")
        for t in range(int(lengths.max())):
            run = np.nonzero(lengths > t)[0]
            tok = offsets[run] + t
            opened = open_label[run]
            is_open = opened > 0
            # spaCy's three NER features: this token, the open entity's first token, the
            # token before this one (the last two only while an entity is open)
            m = len(run)
            ids[:m, 0] = tok
            ids[:m, 1] = np.where(is_open, offsets[run] + start[run], -1)
            ids[:m, 2] = np.where(is_open, tok - 1, -1)
            scores = blis.py.gemm(hidden.predict(ids[:m]), weights, trans2=True, beta=0.0)
            scores += bias
            if len(unseen):
                scores[:, unseen] = scores.min()
            scores += self.penalty[state_kind(opened, lengths[run] - t >= 2, space[tok])]
            best = scores.argmax(axis=1)
            move, label = self.move[best], self.label[best]
            for i in np.nonzero((move == LAST) | (move == UNIT))[0]:
                d = run[i]
                if move[i] == UNIT:
                    found[d].append((t, t + 1, self.labels[label[i] - 1]))
                else:
                    found[d].append((start[d], t + 1, self.labels[opened[i] - 1]))
            begin = move == BEGIN
            start[run[begin]] = t
            open_label[run] = np.where(begin, label, np.where(move == IN, opened, 0))
        step.clear_memory()
        return found


def state_kind(open_label, two_left, space):
    """A decoder state's row in GreedyNer.penalty: with no entity open, 2 * two_left + space
    (at least two tokens left; this token is whitespace); with one open,
    4 + 2 * (label - 1) + two_left. Works on scalars and on arrays."""
    return np.where(np.asarray(open_label) > 0, 4 + 2 * (np.asarray(open_label) - 1) + two_left,
                    2 * np.asarray(two_left, dtype=int) + space)


def _ents(docs) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label_) for e in d.ents] for d in docs]
