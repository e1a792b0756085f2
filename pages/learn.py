"""Learn page: how one pseudo-anomaly is made, step by step, on a 2-D toy dataset."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from nngmix.data import load_builtin, protocol_split
from nngmix.generators import GENERATORS, NNGMix

st.title("How NNG-Mix makes a pseudo-anomaly")
st.markdown(r"""
A labeled anomaly $a$ is the **anchor**. With probability ½ its partner $b$ is one of its $k$ nearest
**unlabeled** rows, otherwise one of its $k_a$ nearest **labeled anomalies** (not itself).
With $\lambda \sim \mathrm{Beta}(\alpha, \beta)$ and $\varepsilon_1, \varepsilon_2 \sim \mathcal N(0, \sigma^2 I)$:

$$x = \lambda\,(a + \varepsilon_1) + (1 - \lambda)\,(b + \varepsilon_2).$$

Mixup takes $b$ uniformly from all rows, Cutout zeroes a window of features, CutMix pastes a partner's
window, Gaussian noise adds $\mathcal N(0, \sigma^2 I)$ to $a$.
""")


@st.cache_data
def toy():
    X, y = load_builtin("toy_2d")
    return protocol_split(X, y, seed=0, duplicate=False)


split = toy()
X, y = split.X_train, split.y_train
c1, c2 = st.columns([1, 3])
with c1:
    method = st.selectbox("Method", list(GENERATORS)[:5], format_func=lambda m: GENERATORS[m].title, key="learn_method")
    k = st.slider("k", 1, 30, 8, key="learn_k")
    alpha = st.slider("α = β", 0.1, 3.0, 0.5, 0.1, key="learn_alpha")
    std = st.slider("σ", 0.0, 0.1, 0.02, 0.005, key="learn_std")
    sample = st.number_input("Sample (seed)", 0, 10_000, 0, key="learn_sample")
    step = st.radio("Step", ["1 anchor", "2 neighbours", "3 partner", "4 mix λ", "5 noise → result"], key="learn_step")
n_step = int(step[0])
params = {"nng_mix": dict(k=k, k_anomaly=k, alpha=alpha, beta=alpha, std=std), "mixup": dict(alpha=alpha, beta=alpha),
          "gaussian_noise": dict(std=std * 5)}.get(method, {})
gen = GENERATORS[method](n_samples=1, random_state=int(sample), **params)
x_new, prov = gen.generate(X, y)
anchor, partner = prov.anchor[0], prov.partner[0]

fig = go.Figure()
fig.add_trace(go.Scatter(x=X[y == 0, 0], y=X[y == 0, 1], mode="markers", name="unlabeled", marker=dict(color="#adb5bd", size=5)))
fig.add_trace(go.Scatter(x=X[y == 1, 0], y=X[y == 1, 1], mode="markers", name="labeled anomalies",
                         marker=dict(color="#d6336c", size=10, symbol="star")))
fig.add_trace(go.Scatter(x=[X[anchor, 0]], y=[X[anchor, 1]], mode="markers", name="anchor a",
                         marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color="#000", width=2))))
text = [f"Anchor: labeled anomaly #{anchor}."]
if method == "nng_mix" and n_step >= 2:
    pool = np.flatnonzero(y == (0 if prov.branch[0] == "unlabeled" else 1))
    order = pool[np.argsort(((X[pool] - X[anchor]) ** 2).sum(1))[: (k if prov.branch[0] == "unlabeled" else k + 1)]]
    fig.add_trace(go.Scatter(x=X[order, 0], y=X[order, 1], mode="markers", name=f"{prov.branch[0]} neighbours",
                             marker=dict(size=12, color="rgba(28,126,214,0.3)")))
    text.append(f"Branch: **{prov.branch[0]}** (probability ½). Its {k} nearest {prov.branch[0]} rows are candidates.")
if method == "mixup" and n_step >= 2:
    text.append("Mixup: the partner is drawn uniformly from **all** training rows, near or far.")
if method in ("cutout", "cutmix") and n_step >= 2:
    x1, x2 = prov.window[0]
    if x2 <= x1:
        text.append(f"Window [{x1}, {x2}) is **empty**: with 2 features, L = max(1, int(r·2)) = 1 and L // 2 = 0, "
                    "so the official rule changes nothing and the pseudo-anomaly is a copy of its source.")
    else:
        text.append(f"Features [{x1}, {x2}) are " + ("zeroed." if method == "cutout" else "pasted from the partner."))
if method == "gaussian_noise" and n_step >= 2:
    text.append(f"Gaussian noise: no partner; the anchor moves by N(0, {prov.noise_std[0]:.3f}²) per feature.")
if n_step >= 3 and partner >= 0:
    fig.add_trace(go.Scatter(x=[X[partner, 0]], y=[X[partner, 1]], mode="markers", name="partner b",
                             marker=dict(size=16, color="#1c7ed6", symbol="diamond")))
    text.append(f"Partner: row #{partner}, drawn uniformly among the candidates.")
if n_step >= 4 and partner >= 0 and not np.isnan(prov.lam[0]):
    lam = prov.lam[0]
    mix = lam * X[anchor] + (1 - lam) * X[partner]
    fig.add_trace(go.Scatter(x=[X[anchor, 0], X[partner, 0]], y=[X[anchor, 1], X[partner, 1]], mode="lines",
                             name="segment a–b", line=dict(color="#495057", dash="dot")))
    fig.add_trace(go.Scatter(x=[mix[0]], y=[mix[1]], mode="markers", name="λa + (1−λ)b", marker=dict(size=10, color="#495057")))
    text.append(f"λ = {lam:.3f}: the mix lies {100 * (1 - lam):.0f} % of the way from a to b.")
if n_step >= 5:
    fig.add_trace(go.Scatter(x=[x_new[0, 0]], y=[x_new[0, 1]], mode="markers", name="pseudo-anomaly",
                             marker=dict(size=14, color="#f59f00", symbol="x")))
    text.append(f"Noise with std {prov.noise_std[0]:.4f} (σ·√(λ² + (1−λ)²)) gives the pseudo-anomaly.")
fig.update_layout(height=560, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h"))
with c2:
    st.plotly_chart(fig, width="stretch", key="learn_fig")
    for line in text:
        st.markdown("- " + line)
