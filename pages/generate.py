"""Generate page: tune a method, see its pseudo-anomalies in a UMAP (or PCA) projection."""

import io

import numpy as np
import streamlit as st

from nngmix.generators import GENERATORS, nearest_distances
from nngmix.plots import beta_density_figure, projection_figure
from pages._shared import current_split, setting_widget, show_error

st.title("Generate pseudo-anomalies")
try:
    split = current_split()
except Exception as exc:
    show_error(exc)
    st.stop()
n_labeled = int(split.labeled.sum())

methods = list(GENERATORS)
controls, figure_col = st.columns([1, 3])
with controls:
    method = setting_widget(st.selectbox, "Method", "method", methods, format_func=lambda m: GENERATORS[m].title)
    cls = GENERATORS[method]
    defaults = cls.defaults()
    params = {}
    if method == "nng_mix":
        params["k"] = st.slider("k (unlabeled neighbours)", 1, 50, defaults["k"], key="gen_k")
        params["k_anomaly"] = st.slider("k_anomaly", 1, 50, defaults["k_anomaly"], key="gen_k_anomaly")
        params["adaptive_k"] = st.checkbox("adaptive k = labeled × 2", key="gen_adaptive_k")
        params["std"] = st.select_slider("σ (noise std)", [0.0, 0.001, 0.005, 0.01, 0.03, 0.1, 0.3, 1.0],
                                         value=defaults["std"], key="gen_std")
        params["gaussian"] = params["std"] > 0
    if method in ("nng_mix", "mixup"):
        params["uniform_lambda"] = st.checkbox("uniform λ", key="gen_uniform")
        params["alpha"] = st.slider("α", 0.05, 5.0, float(defaults["alpha"]), 0.05, key="gen_alpha")
        tie = st.checkbox("β = α", value=True, key="gen_tie")
        params["beta"] = params["alpha"] if tie else st.slider("β", 0.05, 5.0, float(defaults["beta"]), 0.05, key="gen_beta")
        st.plotly_chart(beta_density_figure(params["alpha"], params["beta"], params["uniform_lambda"]),
                        width="stretch", key="beta_fig")
    if method in ("mixup", "cutout", "cutmix"):
        params["anomaly_only"] = st.checkbox("anomaly only", key="gen_anomaly_only")
    if method in ("cutout", "cutmix"):
        params["low"], params["high"] = st.slider("window share of features", 0.0, 1.0, (defaults["low"], defaults["high"]), 0.05, key="gen_window")
    if method == "gaussian_noise":
        params["std"] = st.slider("σ", 0.0, 2.0, float(defaults["std"]), 0.05, key="gen_gauss_std")
    if method == "smote":
        params["k"] = st.slider("k", 1, 20, defaults["k"], key="gen_smote_k")
    how = st.radio("How many", ["× labeled anomalies", "absolute"], horizontal=True, key="gen_how")
    if how == "absolute":
        n_samples = st.number_input("pseudo-anomalies", 0, 20000, 100, key="gen_n")
    else:
        n_samples = int(st.select_slider("multiplier", [0, 1, 2, 5, 10, 20, 50], value=5, key="gen_mult")) * n_labeled
    projection = st.radio("Projection", ["umap", "pca"], format_func=str.upper, horizontal=True, key="projection")
    show_test = st.checkbox("show test rows", key="gen_show_test")


@st.cache_data(max_entries=16, show_spinner=False)
def generate(_split, split_key, method, params_items, n_samples, seed):
    gen = GENERATORS[method](n_samples=n_samples, random_state=seed, **dict(params_items))
    return gen.generate(_split.X_train, _split.y_train)


@st.cache_resource(max_entries=8, show_spinner="Fitting the projection (once per dataset and split)…")
def projector(_X, key, method):
    from nngmix.projection import fitted

    return fitted(_X, method)


split_key = (st.session_state["dataset_key"], st.session_state["seed"], st.session_state["labeled_share"],
             st.session_state["duplicate"], st.session_state["subsample"])
try:
    X_new, prov = generate(split, split_key, method, tuple(sorted(params.items())), int(n_samples), int(st.session_state["seed"]))
except Exception as exc:  # parameter errors come back as messages
    show_error(exc)
    st.stop()

with figure_col:
    proj = projector(split.X_train, split_key, projection)
    base = proj.embedding_ if projection == "umap" else proj.transform(split.X_train)
    Z_new = proj.transform(X_new) if len(X_new) else np.empty((0, 2))
    unl = ~split.labeled
    points = {"unlabeled": base[unl & ~split.hidden_anomaly], "hidden": base[split.hidden_anomaly],
              "labeled": base[split.labeled], "pseudo": Z_new}
    if show_test:
        points["test"] = proj.transform(split.X_test)
    lam_text = ["" if np.isnan(v) else f", λ={v:.3f}" for v in prov.lam]
    hover = {"pseudo": [f"pseudo #{i}: anchor {a}, partner {p} ({b}){lt}" for i, (a, p, b, lt)
                        in enumerate(zip(prov.anchor, prov.partner, prov.branch, lam_text))]}
    lines = []
    pick = st.number_input("Show the parents of pseudo-anomaly #", -1, max(-1, len(X_new) - 1), -1, key="gen_pick",
                           help="-1: none. Clicking a pseudo-anomaly in the plot does the same.")
    selected = st.session_state.get("proj_chart", {}).get("selection", {}).get("points", []) if isinstance(st.session_state.get("proj_chart"), dict) else []
    if pick < 0 and selected:
        sel = selected[0]
        if sel.get("curve_number") == list(points).index("pseudo"):
            pick = sel.get("point_index", -1)
    if 0 <= pick < len(X_new):
        parents = [base[prov.anchor[pick]]] + ([base[prov.partner[pick]]] if prov.partner[pick] >= 0 else [])
        lines.append((Z_new[pick], parents))
    fig = projection_figure(points, hover, lines, title=f"{projection.upper()} of the training set + {len(X_new)} pseudo-anomalies")
    st.plotly_chart(fig, width="stretch", key="proj_chart", on_select="rerun", selection_mode="points")

    stats = st.columns(4)
    stats[0].metric("pseudo-anomalies", len(X_new))
    stats[1].metric("identical to source", f"{100 * prov.identical_share:.1f} %",
                    help="Cutout/CutMix with an empty window copy their source unchanged (see PROTOCOL.md)")
    if len(X_new):
        d_l = nearest_distances(X_new, split.X_train[split.labeled])
        d_u = nearest_distances(X_new, split.X_train[unl])
        stats[2].metric("median dist. to labeled anomaly", f"{np.median(d_l):.3f}")
        stats[3].metric("median dist. to unlabeled row", f"{np.median(d_u):.3f}")

        def csv_bytes():  # built only when the button is clicked, on Streamlit's download thread
            frame = prov.to_frame()
            for j in range(X_new.shape[1]):
                frame[f"x{j}"] = X_new[:, j]
            return frame.to_csv(index=False)

        def npz_bytes():
            buf = io.BytesIO()
            np.savez(buf, X=X_new, anchor=prov.anchor, partner=prov.partner, lam=prov.lam, branch=prov.branch)
            return buf.getvalue()

        d1, d2 = st.columns(2)
        d1.download_button("Download CSV", csv_bytes, f"{method}_pseudo_anomalies.csv", "text/csv", on_click="ignore")
        d2.download_button("Download NPZ", npz_bytes, f"{method}_pseudo_anomalies.npz", on_click="ignore")
