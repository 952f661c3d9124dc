"""Property tests: the HTML's embedded findings JSON round-trips any text and can never close
its <script> element; any change to a signed report's bytes fails sign-off verification."""
from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govern.errors import IntegrityError
from govern.report.render import embedded_json

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.dictionaries(st.sampled_from(["mask", "field", "type", "golden"]), text),
                max_size=5))
def test_embedded_json_round_trips_and_stays_inside_its_script(rows):
    out = embedded_json({"pii": rows})
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"pii": rows}


@pytest.fixture(scope="module")
def private(chain, tmp_path_factory):
    """A copy of the session store, so the sign-offs made here stay out of other tests."""
    from tests.report.conftest import Chain
    dst = tmp_path_factory.mktemp("private") / "work"
    shutil.copytree(chain.root, dst)
    c = Chain(dst)
    c.report = dst / "reports" / chain.files["json"].name
    return c


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_byte_change_breaks_the_signoff(private, tmp_path_factory, data):
    from govern.report.signoff import create_signoff, verify_signoff
    folder = tmp_path_factory.mktemp("signed")
    report = folder / private.report.name
    shutil.copy(private.report, report)
    store = private.store()
    _, path, _ = create_signoff(store, report, "Ada", "dpo", "approve")
    envelope = json.loads(path.read_text())
    assert verify_signoff(store, envelope, report)["decision"] == "approve"
    raw = bytearray(report.read_bytes())
    i = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[i]))
    raw[i] = new
    report.write_bytes(bytes(raw))
    try:
        verify_signoff(store, envelope, report)
    except IntegrityError as e:
        assert "changed after it was signed" in str(e)
    else:
        raise AssertionError("a changed report verified")
