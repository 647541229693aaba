"""`evaltool serve`: the same checks, scores and reports over HTTP, for the WPS add-in and for PCs
without Python. Starlette + uvicorn are imported only by this package (other commands never pay
for them); the JSON it speaks is described in payload.py.
"""
