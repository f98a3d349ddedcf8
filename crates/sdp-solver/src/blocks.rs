//! [`BlockMatrix`]: a block-diagonal symmetric matrix, dense PSD blocks and diagonal LP blocks.

use faer::Mat;

use crate::dense;
use crate::problem::BlockKind;
use crate::scalar::Real;

/// One diagonal block.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockValue<T> {
    /// A dense symmetric block (both triangles stored).
    Dense(Mat<T>),
    /// The diagonal of an LP block.
    Diag(Vec<T>),
}

impl<T: Real> BlockValue<T> {
    pub fn dim(&self) -> usize {
        match self {
            BlockValue::Dense(m) => m.nrows(),
            BlockValue::Diag(d) => d.len(),
        }
    }

    /// The dense block; panics on an LP block (a bug in the caller).
    pub fn dense(&self) -> &Mat<T> {
        match self {
            BlockValue::Dense(m) => m,
            BlockValue::Diag(_) => panic!("an LP block used as a dense block"),
        }
    }

    pub fn dense_mut(&mut self) -> &mut Mat<T> {
        match self {
            BlockValue::Dense(m) => m,
            BlockValue::Diag(_) => panic!("an LP block used as a dense block"),
        }
    }

    pub fn diag(&self) -> &[T] {
        match self {
            BlockValue::Diag(d) => d,
            BlockValue::Dense(_) => panic!("a dense block used as an LP block"),
        }
    }

    pub fn diag_mut(&mut self) -> &mut Vec<T> {
        match self {
            BlockValue::Diag(d) => d,
            BlockValue::Dense(_) => panic!("a dense block used as an LP block"),
        }
    }

    /// The entry at `(i, j)` (zero off the diagonal of an LP block).
    pub fn get(&self, i: usize, j: usize) -> T {
        match self {
            BlockValue::Dense(m) => m[(i, j)],
            BlockValue::Diag(d) => {
                if i == j {
                    d[i]
                } else {
                    T::zero()
                }
            }
        }
    }
}

/// A block-diagonal matrix with the block structure of a problem.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockMatrix<T> {
    pub blocks: Vec<BlockValue<T>>,
}

impl<T: Real> BlockMatrix<T> {
    pub fn zeros(kinds: &[BlockKind]) -> Self {
        Self::scaled_identity(kinds, T::zero())
    }

    /// `s · I`.
    pub fn scaled_identity(kinds: &[BlockKind], s: T) -> Self {
        let blocks = kinds
            .iter()
            .map(|&k| match k {
                BlockKind::Psd(n) => {
                    let mut m = dense::zeros::<T>(n, n);
                    for i in 0..n {
                        m[(i, i)] = s;
                    }
                    BlockValue::Dense(m)
                }
                BlockKind::Lp(n) => BlockValue::Diag(vec![s; n]),
            })
            .collect();
        Self { blocks }
    }

    /// The trace inner product `Σ_ij A_ij B_ij`.
    pub fn dot(&self, other: &Self) -> T {
        let mut s = T::zero();
        for (a, b) in self.blocks.iter().zip(&other.blocks) {
            s += match (a, b) {
                (BlockValue::Dense(a), BlockValue::Dense(b)) => dense::dot(a.as_ref(), b.as_ref()),
                (BlockValue::Diag(a), BlockValue::Diag(b)) => {
                    let mut t = T::zero();
                    for (&x, &y) in a.iter().zip(b) {
                        t = t.mul_add(x, y);
                    }
                    t
                }
                _ => panic!("block kinds differ"),
            };
        }
        s
    }

    pub fn norm_fro(&self) -> T {
        self.dot(self).sqrt()
    }

    /// `self += alpha · other`.
    pub fn axpy(&mut self, alpha: T, other: &Self) {
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            match (a, b) {
                (BlockValue::Dense(a), BlockValue::Dense(b)) => {
                    for j in 0..a.ncols() {
                        for (x, &y) in a.col_as_slice_mut(j).iter_mut().zip(b.col_as_slice(j)) {
                            *x = x.mul_add(alpha, y);
                        }
                    }
                }
                (BlockValue::Diag(a), BlockValue::Diag(b)) => {
                    for (x, &y) in a.iter_mut().zip(b) {
                        *x += alpha * y;
                    }
                }
                _ => panic!("block kinds differ"),
            }
        }
    }

    /// `self · s`.
    pub fn scale(&mut self, s: T) {
        for a in &mut self.blocks {
            match a {
                BlockValue::Dense(a) => {
                    for j in 0..a.ncols() {
                        for x in a.col_as_slice_mut(j) {
                            *x *= s;
                        }
                    }
                }
                BlockValue::Diag(a) => {
                    for x in a {
                        *x *= s;
                    }
                }
            }
        }
    }

    /// `self + alpha · other` as a new matrix.
    pub fn plus(&self, alpha: T, other: &Self) -> Self {
        let mut out = self.clone();
        out.axpy(alpha, other);
        out
    }

    /// The total dimension (sum of block sizes).
    pub fn total_dim(&self) -> usize {
        self.blocks.iter().map(BlockValue::dim).sum()
    }

    pub fn kinds(&self) -> Vec<BlockKind> {
        self.blocks
            .iter()
            .map(|b| match b {
                BlockValue::Dense(m) => BlockKind::Psd(m.nrows()),
                BlockValue::Diag(d) => BlockKind::Lp(d.len()),
            })
            .collect()
    }

    /// The same matrix in another precision.
    pub fn cast<U: Real>(&self) -> BlockMatrix<U> {
        BlockMatrix {
            blocks: self
                .blocks
                .iter()
                .map(|b| match b {
                    BlockValue::Dense(m) => {
                        BlockValue::Dense(Mat::from_fn(m.nrows(), m.ncols(), |i, j| {
                            m[(i, j)].cast()
                        }))
                    }
                    BlockValue::Diag(d) => BlockValue::Diag(d.iter().map(|x| x.cast()).collect()),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_product_and_axpy_follow_the_blocks() {
        let kinds = [BlockKind::Psd(2), BlockKind::Lp(3)];
        let mut a = BlockMatrix::<f64>::scaled_identity(&kinds, 2.0);
        let b = BlockMatrix::<f64>::scaled_identity(&kinds, 1.0);
        assert_eq!(a.dot(&b), 10.0);
        a.axpy(-2.0, &b);
        assert_eq!(a.norm_fro(), 0.0);
        assert_eq!(b.total_dim(), 5);
        assert_eq!(b.kinds(), kinds);
    }
}
