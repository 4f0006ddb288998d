-- Current yearly statistics, one figure per (park, year, indicator): a later file replaces an
-- earlier figure (a final figure replaces a preliminary 预计 one).
select
    park_name,
    year,
    label_key as indicator_name,
    label,
    unit,
    value,
    value_text,
    value_kind,
    note,
    coalesce(note like '%预计%', false) as is_preliminary,
    source_file,
    source_sheet,
    source_cell,
    load_seq
from {{ ref('int_observations_admitted') }}
where template = 'statistics'
qualify row_number() over (partition by park_name, year, label_key order by load_seq desc, source_sheet, row_no) = 1
