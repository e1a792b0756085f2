"""AppTest for every page: widgets change figures and numbers; errors show as messages."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def app(page=None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def values(v):
    """Plotly 6 ships numeric arrays as base64 ('bdata'); decode them back."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def figure(at, index=0):
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_data_page_shows_card_and_split():
    at = app()
    assert metric(at, "samples") == "376" and metric(at, "anomalies") == "19"
    # breast_cancer: 376 rows bootstrapped to 1000, 70 % for training, ceil(0.1 × training anomalies) labeled
    assert metric(at, "labeled anomalies") == "5" and metric(at, "test rows") == "300"
    at.selectbox(key="data_name").set_value("synthetic_local").run()
    assert metric(at, "samples") == "2,000" and metric(at, "features") == "8"
    before = metric(at, "test rows")
    at.radio(key="_w_labeled_share").set_value("1 %").run()
    assert metric(at, "test rows") == before and metric(at, "labeled anomalies") == "1"
    assert any("mix it with itself" in w.value for w in at.warning)


def test_generate_page_figure_follows_the_sliders():
    at = app("pages/generate.py")
    at.radio(key="projection").set_value("pca").run()
    spec = figure(at, 1)
    pseudo = next(t for t in spec["data"] if t.get("name") == "pseudo-anomalies")
    assert len(values(pseudo["x"])) == 5 * 5  # multiplier 5 × 5 labeled anomalies
    assert "λ=" in pseudo["text"][0] and "anchor" in pseudo["text"][0]
    at.select_slider(key="gen_mult").set_value(20).run()
    pseudo = next(t for t in figure(at, 1)["data"] if t.get("name") == "pseudo-anomalies")
    assert len(values(pseudo["x"])) == 100
    beta = figure(at, 0)
    assert "Beta(0.2, 0.2)" in beta["layout"]["title"]["text"]
    at.slider(key="gen_alpha").set_value(2.0).run()
    assert "Beta(2, 2)" in figure(at, 0)["layout"]["title"]["text"]
    at.number_input(key="gen_pick").set_value(0).run()
    lines = [t for t in figure(at, 1)["data"] if t.get("mode") == "lines"]
    assert len(lines) == 2  # the pseudo-anomaly joined to its two parents


def test_generate_page_cutout_identical_share_and_umap():
    at = app("pages/generate.py")
    at.selectbox(key="_w_method").set_value("cutout").run()
    assert not at.exception
    share = metric(at, "identical to source")
    assert share.endswith("%")
    names = [t.get("name") for t in figure(at, 0)["data"]]
    assert {"unlabeled", "labeled anomalies", "pseudo-anomalies"} <= set(names)


def test_train_page_launch_and_live_curves(monkeypatch):
    at = app("pages/train.py")
    assert any("No runs yet" in i.value for i in at.info)
    at.multiselect(key="train_multipliers").set_value([0])
    at.number_input(key="train_epochs").set_value(3)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    runs = at.session_state["train_runs"]
    assert len(runs) == 1
    from pages._shared import job_manager

    job_manager().wait(runs[0], timeout=120)
    at.run()
    spec = figure(at, 0)
    assert spec["data"] and len(values(spec["data"][0]["y"])) >= 1
    assert any("AUC-ROC" in m.value for m in at.markdown)


def test_results_page_lists_runs_and_builds_the_table():
    from nngmix.experiment import Experiment, run_experiment
    from nngmix.store import Store

    for m in (0, 1):
        run_experiment(Experiment(dataset="wine", detector="MLP", multiplier=m, detector_params={"max_iter": 5}), store=Store())
    at = app("pages/results.py")
    assert len(at.dataframe[0].value) == 2
    code = at.code[0].value
    assert code.startswith("python -m nngmix run --alg MLP") and "--datasets wine" in code


def test_learn_page_steps():
    at = app("pages/learn.py")
    n_traces = len(figure(at)["data"])
    at.radio(key="learn_step").set_value("5 noise → result").run()
    assert len(figure(at)["data"]) > n_traces
    assert any("pseudo-anomaly" in m.value for m in at.markdown)
    at.selectbox(key="learn_method").set_value("cutout").run()
    assert any("is **empty**" in m.value for m in at.markdown)  # the official window rule on 2 features


def test_results_page_launches_a_sweep():
    at = app("pages/results.py")
    assert any("run store is empty" in i.value for i in at.info)
    at.multiselect(key="sweep_datasets").set_value(["Built-in/wine"])
    at.multiselect(key="sweep_multipliers").set_value([0, 1])
    at.multiselect(key="sweep_seeds").set_value([0])
    at.number_input(key="sweep_epochs").set_value(5)
    next(b for b in at.button if b.label == "Launch sweep").click().run()
    assert not at.exception
    assert any("2 experiments" in s.value for s in at.success)
    from pages._shared import _background

    thread, _ = _background()[at.session_state["sweep_tag"]]
    thread.join(timeout=180)
    at.run()
    assert any("2 experiments, 0 already done, 2 run, 0 failed" in (p.proto.text or "") for p in at.get("progress"))
    assert len(at.dataframe[0].value) == 2
    table = at.dataframe[1].value  # the paper-style table
    assert list(table.columns) == ["baseline", "nng_mix"] and "W/T/L vs baseline" in table.index


def test_library_errors_show_as_messages():
    at = app()
    at.selectbox(key="data_name").set_value("synthetic_local").run()
    at.radio(key="_w_labeled_share").set_value("1 %").run()  # one labeled anomaly
    at.switch_page("pages/generate.py")
    at.run()
    at.selectbox(key="_w_method").set_value("smote").run()
    assert not at.exception
    assert any("SMOTE interpolates between labeled anomalies and needs at least 2" in e.value for e in at.error)
    at.selectbox(key="_w_method").set_value("nng_mix").run()  # and the page keeps working
    assert not at.error and at.get("plotly_chart")


def test_results_page_tunes_in_the_background():
    at = app("pages/results.py")
    at.number_input(key="tune_trials").set_value(2)
    next(b for b in at.button if b.label == "Tune").click().run()
    from pages._shared import _background

    thread, _ = _background()[at.session_state["tune_key"]]
    thread.join(timeout=180)
    at.run()
    assert not at.exception
    assert any("test AUC-ROC  default" in s.value and "tuned" in s.value for s in at.success)
