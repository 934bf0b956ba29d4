//! Measurements turned into facts: the bundle's composition and import graph,
//! startup time attributed to packages and files, budgets checked against a
//! report, and the comparison with a saved baseline.

pub mod baseline;
pub mod budget;
pub mod bundle;
pub mod profile;
pub mod startup;
