"""The --precision flag of the tools that run a trained network: what it
computes in (network.precision)."""

from absl import flags

from magenta_style.network.precision import PRECISIONS

flags.DEFINE_enum("precision", "auto", list(PRECISIONS),
                  "What the network computes in. auto: bfloat16 on CPUs with "
                  "AVX-512 BF16 or AMX (50-58 dB from float32, 1.6x faster "
                  "on AVX-512 BF16; benchmarks/RESULTS.md) and on GPUs from "
                  "Ampere on, float16 on older GPUs, float32 elsewhere "
                  "(where bfloat16 is emulated, slower).")
