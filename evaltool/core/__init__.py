"""Pure core: parsing, rule sets, scoring and checks. Imports no spreadsheet library."""
