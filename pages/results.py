"""Results page: every run in the store, curves, paper-style tables, exports."""

import json
import time

import pandas as pd
import streamlit as st

from nngmix.cli import command_line
from nngmix.detectors import DETECTORS
from nngmix.experiment import Experiment
from nngmix.generators import GENERATORS
from nngmix.plots import curves_figure, heatmap_figure
from nngmix.stats import BASELINE_COLUMN, paper_table, results_frame
from nngmix.sweep import SweepSpec
from pages._shared import (catalog, job_manager, show_error, start_sweep, start_tuning, store, sweep_outcome,
                           tuning_outcome)

st.title("Results")
with st.expander("Launch a sweep: datasets × methods × multipliers × seeds × detectors"), st.form("sweep"):
    cards = {c.key: c for c in catalog()}
    c1, c2 = st.columns(2)
    sweep_datasets = c1.multiselect("Datasets", list(cards), default=[st.session_state["dataset_key"]], key="sweep_datasets")
    sweep_methods = c2.multiselect("Methods", list(GENERATORS), default=["nng_mix"], key="sweep_methods")
    c3, c4, c5 = st.columns(3)
    sweep_mults = c3.multiselect("Multipliers", [0, 1, 5, 10], default=[0, 1, 5, 10], key="sweep_multipliers")
    sweep_seeds = c4.multiselect("Seeds", list(range(10)), default=[0, 1, 2], key="sweep_seeds")
    sweep_detectors = c5.multiselect("Detectors", list(DETECTORS), default=["MLP"], key="sweep_detectors")
    sweep_epochs = st.number_input("Training epochs (MLP: at most)", 1, 500, 200, key="sweep_epochs")
    if st.form_submit_button("Launch sweep"):
        spec = SweepSpec(datasets=sweep_datasets, methods=sweep_methods, multipliers=sweep_mults, seeds=sweep_seeds,
                         detectors=sweep_detectors, tag=f"sweep-{int(time.time())}",
                         detector_params={d: {DETECTORS[d].epochs_param: int(sweep_epochs)} for d in sweep_detectors})
        try:
            n = start_sweep(spec)
            st.session_state["sweep_tag"] = spec.tag
            st.success(f"Started {spec.tag}: {n} experiments (finished ones in the store are skipped).")
        except Exception as exc:
            show_error(exc)


def sweep_progress(tag):
    outcome = sweep_outcome(tag)
    swept = store().list_runs(tag=tag)
    if outcome is None:
        st.progress(len(swept) and sum(r["status"] == "done" for r in swept) / max(1, len(swept)),
                    text=f"{tag}: {len(swept)} runs so far")
    elif isinstance(outcome, Exception):
        show_error(outcome)
    else:
        st.progress(1.0, text=f"{tag}: {outcome.total} experiments, {outcome.skipped} already done, "
                              f"{outcome.done} run, {outcome.failed} failed ({outcome.seconds:.0f} s)")


if st.session_state.get("sweep_tag"):
    tag = st.session_state["sweep_tag"]
    if sweep_outcome(tag) is None:
        st.fragment(run_every=2.0)(sweep_progress)(tag)  # polls only while the sweep runs
    else:
        sweep_progress(tag)

with st.expander("Tune NNG-Mix on the current dataset (training data only)"), st.form("tune"):
    u1, u2 = st.columns(2)
    trials = u1.number_input("Trials", 1, 200, 20, key="tune_trials")
    tune_detector = u2.selectbox("Detector", list(DETECTORS), index=list(DETECTORS).index("MLP"), key="tune_detector")
    if st.form_submit_button("Tune"):
        st.session_state["tune_key"] = start_tuning(st.session_state["dataset_key"], int(trials), tune_detector)
if st.session_state.get("tune_key"):
    def tuning_status():
        outcome = tuning_outcome(st.session_state["tune_key"])
        if outcome is None:
            st.info("Tuning… (Optuna's TPE over k, k_anomaly, σ, α; validation rows held out of the training split)")
        elif isinstance(outcome, Exception):
            show_error(outcome)
        else:
            st.success(outcome.summary())

    if tuning_outcome(st.session_state["tune_key"]) is None:
        st.fragment(run_every=2.0)(tuning_status)()
    else:
        tuning_status()

runs = store().list_runs()
if not runs:
    st.info("The run store is empty: train something on the Train page or with `python -m nngmix run`.")
    st.stop()

rows = []
for r in runs:
    c, m = r["config"], r["metrics"] or {}
    rows.append({"id": r["id"], "dataset": c["dataset"], "detector": c["detector"],
                 "method": "baseline" if c["multiplier"] == 0 else c["method"], "multiplier": c["multiplier"],
                 "seed": c["seed"], "ratio": c["ratio"], "status": r["status"], "auc_roc": m.get("auc_roc"),
                 "auc_pr": m.get("auc_pr"), "device": r["device"]})
table = pd.DataFrame(rows)

f1, f2, f3, f4 = st.columns(4)
filters = {}
for col, name in zip((f1, f2, f3, f4), ("dataset", "method", "detector", "status")):
    filters[name] = col.multiselect(name, sorted(table[name].dropna().unique()), key=f"filter_{name}")
view = table
for name, chosen in filters.items():
    if chosen:
        view = view[view[name].isin(chosen)]
st.dataframe(view, hide_index=True, width="stretch")
st.download_button("Export CSV", view.to_csv(index=False), "nngmix_runs.csv", "text/csv")

selected = st.multiselect("Overlay curves of runs", view["id"].tolist(), default=view["id"].tolist()[:3], key="overlay")
if selected:
    labels = {i: f"#{i}" for i in selected}
    st.plotly_chart(curves_figure(store().epochs(selected), labels, "auc_roc"), width="stretch", key="overlay_fig")

st.subheader("Paper-style table")
frame = results_frame([r for r in runs if r["id"] in set(view["id"])])
if len(frame) and (frame["multiplier"] == 0).any() and (frame["multiplier"] > 0).any():
    t1, t2, t3 = st.columns(3)
    detector = t1.selectbox("Detector", sorted(frame["detector"].unique()), key="table_detector")
    ratio = t2.selectbox("Labeled ratio", sorted(frame["ratio"].unique(), reverse=True), key="table_ratio")
    multiplier = t3.selectbox("Multiplier", sorted(frame.loc[frame["multiplier"] > 0, "multiplier"].unique()), key="table_mult")
    try:
        table = paper_table(frame, detector=detector, ratio=ratio, multiplier=multiplier)
        st.caption(table.title + "; rank 1 = best; W/T/L and the one-sided Wilcoxon p-value compare each method "
                   "with the baseline over datasets.")
        st.dataframe(table.formatted(), width="stretch")
        st.download_button("Table as Markdown", table.to_markdown(), "nngmix_table.md", "text/markdown", on_click="ignore")
        method = st.selectbox("Heatmap of a method over multipliers", [c for c in table.mean.columns if c != BASELINE_COLUMN],
                              key="table_method")
        part = frame[(frame["detector"] == detector) & (frame["ratio"] == ratio)
                     & frame["method"].isin([method, BASELINE_COLUMN])]
        grid = part.groupby(["dataset", "multiplier"])["value"].mean().unstack("multiplier")
        grid.loc["avg"] = grid.mean()
        st.plotly_chart(heatmap_figure(grid, f"{detector} · {method}: test AUC-ROC (mean over seeds)"),
                        width="stretch", key="heatmap")
    except ValueError as exc:
        show_error(exc)
else:
    st.caption("Tables need finished baseline (multiplier 0) runs and runs with a multiplier ≥ 1.")

st.subheader("A configuration")
run_id = st.selectbox("Run", view["id"].tolist(), key="config_run")
cfg = next(r["config"] for r in runs if r["id"] == run_id)
st.code(command_line(Experiment.from_dict(cfg)), language="bash")
st.download_button("Export configuration (JSON)", json.dumps(cfg, indent=2), f"nngmix_run_{run_id}.json", "application/json")
uploaded = st.file_uploader("Import a configuration (JSON) and run it", type=["json"], key="import_config")
if uploaded is not None and st.button("Queue it", key="queue_import"):
    try:
        new_id = job_manager().submit(Experiment.from_dict(json.loads(uploaded.getvalue())))
        st.session_state.setdefault("train_runs", []).append(new_id)
        st.success(f"Queued run #{new_id}; follow it on the Train page.")
    except Exception as exc:
        show_error(exc)
