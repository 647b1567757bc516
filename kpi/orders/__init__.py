"""Order-based measures: customers, repurchase, LTV, new vs returning, RFM."""
