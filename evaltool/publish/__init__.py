"""`evaltool publish`: the 信息公开 pack — clean copies of the forms (.xlsx and PDF) without evaltool's
marks, notes or internal sheets, and a draft 预算绩效情况说明 whose numbers are checked against the forms."""
