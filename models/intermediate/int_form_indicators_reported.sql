-- The indicator rows of current HJ 274 forms: what the park reported, selected and required.
select
    park_name,
    year,
    seq_no,
    label as indicator_label,
    unit,
    requirement,
    selection,
    value as reported_value,
    value_text,
    value_kind,
    is_masked,
    source_file,
    source_sheet,
    source_cell
from {{ ref('int_observations_admitted') }}
where template = 'eip_form' and row_kind = 'indicator'
qualify row_number() over (partition by park_name, year, seq_no order by row_no) = 1
