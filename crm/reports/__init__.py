"""Reports: the year's figures (network, portal, meetings, working groups, contributions), the lists behind them
and their exports. Reports sits above the other areas and only reads their models."""
