/**
 * Eigenvalues of a real symmetric matrix, with ml-matrix (JAMA's Householder tridiagonalisation and QL iteration,
 * whose deflation test is relative to the whole matrix's norm and so does not stall on clusters of near-zero
 * eigenvalues, which low-rank Gram matrices of similar faces produce). It computes the eigenvectors too, which the
 * Fréchet distance does not need: ~10 s for n = 1000 on a busy core, against ~1.6 s for the hand-written
 * eigenvalues-only version this replaced; an evaluation needs two such solves.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** All eigenvalues (unsorted) of the symmetric `n`×`n` matrix in row-major `matrix`, which is left untouched. */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  if (matrix.length !== n * n) throw new Error(`eigenvalues: expected ${n * n} entries, got ${matrix.length}`);
  const decomposition = new EigenvalueDecomposition(Matrix.from1DArray(n, n, matrix), { assumeSymmetric: true });
  return Float64Array.from(decomposition.realEigenvalues);
}
