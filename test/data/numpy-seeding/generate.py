"""Records numpy's seeding and Gymnasium's seeded resets, for src/utils/numpy-random.test.ts and
src/envs/classic-control/gymnasium-seeds.test.ts:

- numpy-random.json: SeedSequence pools and generate_state words, PCG64 states and random_raw
  outputs, Generator.random and Generator.uniform draws, for seeds of 1 to 6 uint32 words.
- gymnasium-resets.json: each classic-control env's reset(seed=...) observation and state, then a few
  unseeded resets after it (which continue the seeded stream), and SyncVectorEnv resets (copy i gets
  seed + i). Its seeds are disjoint from numpy-random.json's, so the env test checks seeds the
  implementation was never tuned on.

Run with Gymnasium 1.3.0 and numpy 2 importable:
    .venv/bin/python test/data/numpy-seeding/generate.py
"""

import json
from pathlib import Path

import gymnasium as gym
import numpy as np

OUT_DIR = Path(__file__).parent

# 0 and single words, 2**32 - 1 / 2**32 at the word boundary, 2**53 - 1 (the largest safe JS integer),
# then 3-, 4- and 6-word seeds: more words than the pool's 4 take numpy's second mixing loop.
NUMPY_SEEDS = [0, 1, 42, 2**32 - 1, 2**32, 2**53 - 1, 2**70 + 3, 2**127 + 2**64 + 9, 2**191 + 2**160 + 5]
STATE_WORDS = 8
RAW_DRAWS = 6
DOUBLE_DRAWS = 6
UNIFORM_BOUNDS = [(-0.05, 0.05), (-np.pi, np.pi), (-0.6, -0.4), (2.0, 2.0)]
UNIFORM_SIZE = 3
# A long random_raw stream per seed, summarised by its xor and last output: enough draws to take every
# branch of XSL-RR's rotation (0, below 32, 32 and above) many times.
LONG_STREAM = 10000

ENV_IDS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"]
# None of these is in NUMPY_SEEDS or in test/data/fixtures' and gymnasium-fixtures-extra's seeds (0-4, 10, 11).
ENV_SEEDS = [7, 123, 2024, 65537, 2**31 - 1, 2**40 + 17, 2**53 - 2]
UNSEEDED_RESETS = 3
VECTOR_COPIES = 3
VECTOR_SEEDS = [5, 999]


def words(values):
    return [int(v) for v in values]


def long_stream(seed):
    raw = np.random.PCG64(np.random.SeedSequence(seed)).random_raw(LONG_STREAM)
    return {"count": LONG_STREAM, "xor": str(int(np.bitwise_xor.reduce(raw))), "last": str(int(raw[-1]))}


def numpy_reference():
    cases = []
    for seed in NUMPY_SEEDS:
        seq = np.random.SeedSequence(seed)
        bit_generator = np.random.PCG64(np.random.SeedSequence(seed))
        state = bit_generator.state["state"]
        generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        cases.append(
            {
                # Decimal strings: JSON numbers lose integers above 2**53.
                "seed": str(seed),
                "pool": words(seq.pool),
                "state_uint32": words(seq.generate_state(STATE_WORDS)),
                "state_uint64": [str(v) for v in words(seq.generate_state(STATE_WORDS // 2, np.uint64))],
                "pcg64_state": str(state["state"]),
                "pcg64_inc": str(state["inc"]),
                "random_raw": [str(v) for v in words(bit_generator.random_raw(RAW_DRAWS))],
                "long_stream": long_stream(seed),
                "random": generator.random(DOUBLE_DRAWS).tolist(),
                "uniform": [
                    {"low": low, "high": high, "draws": generator.uniform(low, high, size=UNIFORM_SIZE).tolist()}
                    for low, high in UNIFORM_BOUNDS
                ],
            }
        )
    return {"source": f"numpy {np.__version__}; see generate.py", "cases": cases}


def state_of(env):
    return np.asarray(env.unwrapped.state, dtype=np.float64).tolist()


def gymnasium_reference():
    resets = []
    for env_id in ENV_IDS:
        for seed in ENV_SEEDS:
            env = gym.make(env_id)
            obs, _ = env.reset(seed=seed)
            case = {"env": env_id, "seed": seed, "obs": obs.tolist(), "state": state_of(env), "unseeded": []}
            for _ in range(UNSEEDED_RESETS):
                obs, _ = env.reset()
                case["unseeded"].append({"obs": obs.tolist(), "state": state_of(env)})
            resets.append(case)
    vector_resets = []
    for env_id in ENV_IDS:
        for seed in VECTOR_SEEDS:
            envs = gym.make_vec(env_id, num_envs=VECTOR_COPIES, vectorization_mode="sync")
            obs, _ = envs.reset(seed=seed)
            vector_resets.append({"env": env_id, "seed": seed, "num_envs": VECTOR_COPIES, "obs": obs.reshape(-1).tolist()})
    return {"source": f"gymnasium {gym.__version__}, numpy {np.__version__}; see generate.py", "resets": resets, "vector_resets": vector_resets}


def main():
    (OUT_DIR / "numpy-random.json").write_text(json.dumps(numpy_reference(), indent=1) + "\n")
    (OUT_DIR / "gymnasium-resets.json").write_text(json.dumps(gymnasium_reference(), indent=1) + "\n")


if __name__ == "__main__":
    main()
