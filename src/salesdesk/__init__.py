"""SalesDesk: the back office of a manufacturer's sales department."""
