"""Learning the ranker from logged shopper behaviour: the logs as arrays, position-bias propensities,
IPS-debiased training data and LambdaMART, and the offline comparison that decides a promotion."""
