//! Tests of the Graph operations over the default scenario.
