"""Renders reference frames with Gymnasium's own pygame renderers, for render-frame.test.ts.

Run with a Python that has gymnasium[classic-control] (gymnasium 1.3.0, pygame 2.6.1 made the
committed files):  SDL_VIDEODRIVER=dummy python make-gymnasium-frames.py
"""
import json
from pathlib import Path

import gymnasium as gym
import numpy as np
from PIL import Image

# Off-centre, tilted states, so that a mirrored or shifted drawing cannot match.
STATES = {
    "CartPole-v1": [0.5, 0.0, 0.2, 0.0],
    "Acrobot-v1": [0.8, 0.9, 0.0, 0.0],
    "MountainCar-v0": [-0.5, 0.0],
    "MountainCarContinuous-v0": [0.3, 0.0],
    "Pendulum-v1": [0.7, 0.0],
}

here = Path(__file__).parent
manifest = []
for env_id, state in STATES.items():
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    env.unwrapped.state = np.array(state, dtype=np.float64)
    if env_id == "Pendulum-v1":
        env.unwrapped.last_u = None  # no torque arrow: it is not part of the state
    file = f"gymnasium-{env_id}.png"
    Image.fromarray(env.render()).save(here / file)
    manifest.append({"envId": env_id, "state": state, "file": file})
    env.close()
(here / "gymnasium-frames.json").write_text(json.dumps({"gymnasium": gym.__version__, "frames": manifest}, indent=2) + "\n")
