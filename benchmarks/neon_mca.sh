#!/usr/bin/env bash
# What static analysis says about the NEON kernels where no ARM machine is at hand:
# instructions per vector and llvm-mca's throughput estimate (cycles per element) of
# the moderate-path loop body of each vector kernel (vec_neon.h), as clang compiles it
# for aarch64 with setup.py's flags.  An estimate of one core's pipelines, not a timing.
#
#   bash benchmarks/neon_mca.sh [cpu ...]     (default: neoverse-v1 apple-m1)
# Needs clang and llvm-mca (Debian: clang, llvm); the aarch64 C library headers come from
# scripts/test_aarch64.sh's sysroot cache when present, else from libc6-dev-arm64-cross.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cpus=("${@:-neoverse-v1}")
[ $# -gt 0 ] || cpus=(neoverse-v1 apple-m1)
# the newest llvm-mca (its CPU models improve: 14 and 19 differ by 4x for Neoverse V1)
mca="$(ls /usr/bin/llvm-mca-* 2>/dev/null | sort -V | tail -1)"
mca="${mca:-$(command -v llvm-mca)}"
cache="${SIGMOIDX_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sigmoidx-aarch64}"
sysroot=()
[ -d "$cache/sysroot/usr/include" ] && sysroot=(--sysroot="$cache/sysroot")

kernels=(sigmoid:f32 sigmoid_grad:f32 log_sigmoid:f32 sigmoid:f64 sigmoid_grad:f64 log_sigmoid:f64)
{
    printf '#include "kernels.h"\n#include "sigmoid_math.h"\n#include "vec_neon.h"\n'
    printf '#include "kernels_vec_f32.h"\n#include "kernels_vec_f64.h"\n'
    for k in "${kernels[@]}" logit:f64; do
        name=${k%:*} d=${k#*:}
        T=$([ "$d" = f32 ] && echo float || echo double) V=v$d
        if [ "$name" = logit ]; then call="logit_vf64(vf64_load(in + i))"
        else call="${name}_${V}(shared_parts_${V}(${V}_load(in + i), 1))"; fi
        printf 'void loop_%s_%s(const %s *in, %s *out, long n)\n{\n' "$name" "$d" "$T" "$T"
        printf '    for (long i = 0; i < n; i += %s) {\n' "$([ "$d" = f32 ] && echo VF32_LANES || echo VF64_LANES)"
        printf '        __asm volatile("// LLVM-MCA-BEGIN %s_%s" ::: "memory");\n' "$name" "$d"
        printf '        %s_store(out + i, %s);\n' "$V" "$call"
        printf '        __asm volatile("// LLVM-MCA-END %s_%s" ::: "memory");\n    }\n}\n' "$name" "$d"
    done
} >"$work/loops.c"
clang --target=aarch64-linux-gnu "${sysroot[@]}" -std=c11 -O3 -ffp-contract=off -Wno-unused-function \
    -I"$repo/csrc" -I"$repo/sigmoidx/include" -S "$work/loops.c" -o "$work/loops.s"

printf '| kernel | instructions per vector |'
for cpu in "${cpus[@]}"; do printf ' %s: cycles per element |' "$cpu"; done
printf '\n|---|---:|'
for cpu in "${cpus[@]}"; do printf -- '---:|'; done
printf '\n'
for k in "${kernels[@]}" logit:f64; do
    region=${k%:*}_${k#*:}
    lanes=$([ "${k#*:}" = f32 ] && echo 4 || echo 2)
    awk -v r="$region" '$0 ~ "LLVM-MCA-BEGIN "r"$" {on=1; next} $0 ~ "LLVM-MCA-END "r"$" {on=0}
        on && $1 !~ /^(\/\/|#|\.)/ && NF' "$work/loops.s" >"$work/$region.s"
    printf '| %s %s (%s lanes) | %s |' "${k%:*}" "${k#*:}" "$lanes" "$(wc -l <"$work/$region.s")"
    for cpu in "${cpus[@]}"; do
        cycles=$("$mca" -mtriple=aarch64 -mcpu="$cpu" "$work/$region.s" | awk '/Block RThroughput/ {print $3}')
        printf ' %s |' "$(awk -v c="$cycles" -v l="$lanes" 'BEGIN {printf "%.2f", c / l}')"
    done
    printf '\n'
done
echo "(${mca##*/}, Block RThroughput of each loop body divided by its lanes)"
