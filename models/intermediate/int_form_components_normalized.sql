-- The raw-data rows of current forms, mapped to the components of the systems found in forms
-- (seeds <system>__components, found_in 'form') and converted into the component's unit by the unit
-- written in the row (not by assumption). A label prefixed with the planning base year's word
-- (规划基准年…, seed template_headers) is the base-year value; one prefixed with a year (2016年…) is
-- that year's value.
with base_words as (
    select text from {{ ref('template_headers') }} where template = 'eip_form' and role = 'planning_base_year'
),
year_mark as (
    select text from {{ ref('template_headers') }} where template = 'any' and role = 'year_mark'
),
rows as (
    select o.*,
        b.text as base_prefix,
        try_cast(regexp_extract(o.label_key, '^((19|20)[0-9]{2})' || (select text from year_mark), 1) as integer) as labelled_year
    from {{ ref('int_observations_admitted') }} o
    left join base_words b on starts_with(o.label_key, b.text)
    where o.template = 'eip_form' and o.row_kind = 'component'
),
kinds as (
    select *,
        case when base_prefix is not null then 'base' when labelled_year is not null then 'year' else 'current' end as ref_kind,
        case when base_prefix is not null then substr(label_key, length(base_prefix) + 1)
             when labelled_year is not null then regexp_replace(label_key, '^(19|20)[0-9]{2}' || (select text from year_mark), '')
             else label_key end as component_label
    from rows
)
select
    d.system_code,
    r.park_name,
    r.year,
    d.component_code,
    r.component_label,
    r.ref_kind,
    case r.ref_kind when 'current' then r.year when 'year' then r.labelled_year else py.base_year end as ref_year,
    r.value as value_as_written,
    r.unit,
    d.unit as standard_unit,
    r.value * c.factor / cs.factor as value_std,
    r.value_kind,
    r.value_text,
    case when d.component_code is null then 'label not in the components of any system'
         when r.value is not null and (c.factor is null or cs.factor is null)
             then 'unit ' || coalesce(r.unit, '(none)') || ' cannot be converted to ' || d.unit
         when r.value_kind = 'masked' then 'masked in the source'
    end as issue,
    r.source_file,
    r.source_sheet,
    r.source_cell,
    r.row_no
from kinds r
left join {{ ref('int_system_component_defs') }} d on d.found_in = 'form' and d.label = r.component_label
left join {{ ref('unit_conversions') }} cs on cs.unit = d.unit
left join {{ ref('unit_conversions') }} c on c.unit = r.unit and c.standard_unit = cs.standard_unit
left join {{ ref('int_eip_park_years') }} py on py.park_name = r.park_name and py.year = r.year
