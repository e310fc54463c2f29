"""Customer import and export (issue capability 11, CUS-13 on import, CUS-74 on export): CSV (UTF-8
with BOM; GBK/GB18030 accepted on import) and XLSX, run as jobs with progress and a row-level report."""
