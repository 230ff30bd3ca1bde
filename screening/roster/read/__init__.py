"""The parent reads a roster, in any of its forms, and cuts it into chunks of numbered rows.

- `open`: `open_roster`, which picks the reader from the file or folder
- `text_file`: a CSV file or a JSON array of intakes, streamed without holding it whole
- `csv_folder`: a folder of CSV parts, read as one roster
- `parquet_roster`: Parquet (a file or a folder of parts), read as text cells by the CSV rules
"""
