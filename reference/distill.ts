// Distillation's divergences in float64, from their definitions: p = softmax(teacher / T), q = softmax(student / T),
// each element's term (a term whose weight is 0 is 0), and the gradient through the student's softmax,
// ∂/∂s_j = scale / T · (u_j − q_j Σ_k u_k), u_j = g_j · ∂term_j/∂log q_j.
import { refLogSoftmaxRow } from './index.js';

export type RefDivergence = 'forward' | 'reverse' | 'jsd' | 'tvd';

export interface RefDistillOptions {
  divergence: RefDivergence;
  /** JSD's weight of the teacher (0 and 1: the two KLs). */
  beta?: number;
  temperature?: number;
  reduction?: 'none' | 'mean' | 'sum' | 'batchmean';
  /** Per row: whether it counts (its label is not ignored). */
  kept?: readonly boolean[];
}

const weighted = (w: number, logW: number, logV: number) => (w > 0 ? w * (logW - logV) : 0);

/** One element's term and its derivative with respect to log q. */
function term(lq: number, lp: number, divergence: RefDivergence, beta: number): [number, number] {
  const [q, p] = [Math.exp(lq), Math.exp(lp)];
  if (divergence === 'forward' || (divergence === 'jsd' && beta === 0)) return [weighted(p, lp, lq), -p];
  if (divergence === 'reverse' || (divergence === 'jsd' && beta === 1)) {
    const t = weighted(q, lq, lp);
    return [t, t + q];
  }
  if (divergence === 'jsd') {
    const lm = Math.log(Math.max(beta * p + (1 - beta) * q, 2.2250738585072014e-308));
    const studentTerm = (1 - beta) * weighted(q, lq, lm);
    return [beta * weighted(p, lp, lm) + studentTerm, studentTerm];
  }
  return [0.5 * Math.abs(p - q), 0.5 * q * Math.sign(q - p)];
}

/** The loss (each element's term for 'none') and its gradient with respect to the student's logits. */
export function refDistill(
  student: ArrayLike<number>,
  teacher: ArrayLike<number>,
  vocab: number,
  options: RefDistillOptions,
  gradOutput: number | ArrayLike<number> = 1,
): { loss: number | number[]; grad: number[]; gradScale: number } {
  const { divergence, beta = 0.5, temperature: T = 1, reduction = 'batchmean' } = options;
  const rows = vocab === 0 ? 0 : student.length / vocab;
  const kl = divergence === 'forward' || divergence === 'reverse';
  const scale = kl ? T * T : 1;
  const kept = (r: number) => options.kept?.[r] ?? true;
  const counted = Array.from({ length: rows }, (_, r) => r).filter(kept).length;
  const divisor = reduction === 'mean' ? counted * vocab : reduction === 'batchmean' ? counted : 1;
  let gradScale = 0; // the gradient's condition: its rows' largest scale / T · (max |u| + |Σ u|)
  const terms = new Array<number>(student.length).fill(0);
  const grad = new Array<number>(student.length).fill(0);
  for (let r = 0; r < rows; r++) {
    if (!kept(r)) continue;
    const slice = (a: ArrayLike<number>) => Array.from({ length: vocab }, (_, j) => a[r * vocab + j] / T);
    const [lq, lp] = [refLogSoftmaxRow(slice(student)), refLogSoftmaxRow(slice(teacher))];
    const u: number[] = [];
    for (let j = 0; j < vocab; j++) {
      const [t, v] = term(lq[j], lp[j], divergence, beta);
      terms[r * vocab + j] = scale * t;
      const g = typeof gradOutput === 'number' ? gradOutput : gradOutput[r * vocab + j];
      u.push((reduction === 'none' ? g : g / divisor) * v);
    }
    const total = u.reduce((a, b) => a + b, 0);
    const rowScale = (scale / T) * (Math.max(...u.map(Math.abs)) + Math.abs(total));
    if (Number.isFinite(rowScale)) gradScale = Math.max(gradScale, rowScale);
    for (let j = 0; j < vocab; j++) grad[r * vocab + j] = (scale / T) * (u[j] - Math.exp(lq[j]) * total);
  }
  const sum = terms.reduce((a, b) => a + b, 0);
  return { loss: reduction === 'none' ? terms : reduction === 'sum' ? sum : sum / divisor, grad, gradScale };
}
