/**
 * Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
 * algorithm (Numerical Recipes' tred2/tqli without eigenvectors). O(n³); about 2 s for n = 1000 in Node.
 * Only eigenvalues are needed by the Fréchet distance, and skipping the vectors halves the work.
 */

/** `sqrt(a² + b²)` without overflow or destructive underflow. */
function hypot(a: number, b: number): number {
  const absA = Math.abs(a), absB = Math.abs(b);
  if (absA > absB) return absA * Math.sqrt(1 + (absB / absA) ** 2);
  return absB === 0 ? 0 : absB * Math.sqrt(1 + (absA / absB) ** 2);
}

/**
 * Reduces the symmetric matrix `a` (row-major n×n, lower triangle read, overwritten) to tridiagonal form:
 * returns the diagonal `d` and the sub-diagonal `e` (with `e[0]` = 0).
 */
function tridiagonalize(a: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n), e = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const rowI = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[rowI + k]);
      if (scale === 0) {
        e[i] = a[rowI + l];
      } else {
        // Scaling the row first keeps the squares of tiny or huge entries representable.
        for (let k = 0; k <= l; k++) {
          a[rowI + k] /= scale;
          h += a[rowI + k] * a[rowI + k];
        }
        let f = a[rowI + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[rowI + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          g = 0;
          for (let k = 0; k <= j; k++) g += a[j * n + k] * a[rowI + k];
          for (let k = j + 1; k <= l; k++) g += a[k * n + j] * a[rowI + k];
          e[j] = g / h;
          f += e[j] * a[rowI + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = a[rowI + j];
          const gj = e[j] - hh * fj;
          e[j] = gj;
          const rowJ = j * n;
          for (let k = 0; k <= j; k++) a[rowJ + k] -= fj * e[k] + gj * a[rowI + k];
        }
      }
    } else {
      e[i] = a[rowI + l];
    }
    d[i] = h;
  }
  e[0] = 0;
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  return { d, e };
}

/** Eigenvalues of the symmetric tridiagonal matrix (d, e) by implicit QL with Wilkinson-style shifts; `d` is overwritten. */
function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  // Off-diagonal entries below eps times the matrix norm are negligible (as in JAMA's tql2). A purely local test
  // (relative to the two neighbouring diagonal entries) can stall forever in a cluster of near-zero eigenvalues,
  // which low-rank Gram matrices of similar faces produce.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
  const negligible = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        if (Math.abs(e[m]) <= negligible) break;
      }
      if (m !== l) {
        if (iterations++ === 60) throw new Error('eigenvalues: QL iteration did not converge');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1, c = 1, p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i], b = c * e[i];
          r = hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            // Underflow: the matrix splits here; deflate and restart from l.
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d;
}

/**
 * All eigenvalues (unsorted) of the symmetric `n`×`n` matrix in row-major `matrix`, which is left untouched.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  if (matrix.length !== n * n) throw new Error(`eigenvalues: expected ${n * n} entries, got ${matrix.length}`);
  const { d, e } = tridiagonalize(Float64Array.from(matrix), n);
  return tridiagonalEigenvalues(d, e);
}
