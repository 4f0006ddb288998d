-- The raw-data rows of current HJ 274 forms, mapped to component codes and converted to the
-- component's standard unit by the unit written in the row (not by assumption).
with rows as (
    select *,
        case when label_key like '规划基准年%' then 'base'
             when regexp_matches(label_key, '^(19|20)[0-9]{2}年') then 'year'
             else 'current' end as ref_kind,
        regexp_replace(regexp_replace(label_key, '^规划基准年', ''), '^(19|20)[0-9]{2}年', '') as component_label,
        try_cast(regexp_extract(label_key, '^((19|20)[0-9]{2})年', 1) as integer) as labelled_year
    from {{ ref('int_observations_admitted') }}
    where template = 'eip_form' and row_kind = 'component'
)
select
    r.park_name,
    r.year,
    l.component_code,
    r.component_label,
    r.ref_kind,
    case r.ref_kind when 'current' then r.year when 'year' then r.labelled_year else py.base_year end as ref_year,
    r.value as value_as_written,
    r.unit,
    l.standard_unit,
    r.value * c.factor as value_std,
    r.value_kind,
    case when l.component_code is null then 'label not in seed hj274_form_labels'
         when r.value is not null and c.factor is null
             then 'unit ' || coalesce(r.unit, '(none)') || ' cannot be converted to ' || l.standard_unit
         when r.value_kind = 'masked' then 'masked in the source'
    end as issue,
    r.source_file,
    r.source_sheet,
    r.source_cell,
    r.row_no
from rows r
left join {{ ref('hj274_form_labels') }} l on l.label = r.component_label
left join {{ ref('unit_conversions') }} c on c.unit = r.unit and c.standard_unit = l.standard_unit
left join {{ ref('int_eip_park_years') }} py on py.park_name = r.park_name and py.year = r.year
