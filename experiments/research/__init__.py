"""The research questions as experiments, on top of the sweep engine (experiments.sweep).

experiment  an experiment as a declared object (sweeps, cells, sections, facts) and
            the one runner that walks it
cells       how a sweep's runs form cells, from its spec and scenarios
analysis    measures, tables and the replication section the experiments share
facts       the stylised facts: names, verdict rule, table
report      report.md and a self-contained report.html
figures     the reports' figures
catalogue   every experiment `quartier experiment NAME` runs
compare, conditions, sensitivity, funding_exit, catalyst_removal: the experiments
"""
