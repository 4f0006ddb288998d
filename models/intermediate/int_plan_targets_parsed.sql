-- Five-year-plan main indicators: base and target side by side, the target text classified
-- (number, ≥ "以上", ≈ "左右", range "30-32", qualitative, relative) and the indicator's direction.
with rows as (
    select * from {{ ref('int_observations_admitted') }} where template = 'plan'
),
plan as (
    select
        park_name,
        plan_name,
        label_key as indicator_name,
        any_value(label) as label,
        any_value(unit) as unit,
        any_value(attribute) as attribute,
        any_value(category) as category,
        min(seq_no) as seq_no,
        max(year) filter (where value_role = 'base') as base_year,
        max(value) filter (where value_role = 'base') as base_value,
        max(value_text) filter (where value_role = 'base') as base_text,
        max(year) filter (where value_role = 'target') as target_year,
        max(value) filter (where value_role = 'target') as target_number,
        max(value_text) filter (where value_role = 'target') as target_text,
        any_value(source_file) as source_file,
        any_value(source_sheet) as source_sheet,
        string_agg(source_cell, ',' order by source_cell) as source_cells
    from rows
    group by park_name, plan_name, label_key
),
suffix_words as (
    select comparator, '(' || string_agg(phrase, '|' order by length(phrase) desc) || ')' as phrases
    from {{ ref('target_phrases') }} where kind = 'suffix' group by comparator
),
classified as (
    select *,
        regexp_replace(coalesce(target_text, ''), '\s', '', 'g') as t,
        case when exists (select 1 from {{ ref('indicator_direction') }} d where contains(plan.indicator_name, d.name_pattern))
             then 'lower' else 'higher' end as direction
    from plan
)
select
    c.* exclude (t),
    case when target_number is not null then 'number'
         when regexp_full_match(t, '[0-9]+(\.[0-9]+)?%?' || (select phrases from suffix_words where comparator = '>=')) then 'at_least'
         when regexp_full_match(t, '[0-9]+(\.[0-9]+)?%?' || (select phrases from suffix_words where comparator = '<=')) then 'at_most'
         when regexp_full_match(t, '[0-9]+(\.[0-9]+)?%?' || (select phrases from suffix_words where comparator = '≈')) then 'about'
         when regexp_full_match(t, '[0-9]+(\.[0-9]+)?\s*' || {{ range_separators() }} || '\s*[0-9]+(\.[0-9]+)?%?') then 'range'
         when regexp_matches(t, {{ phrases('relative') }}) then 'relative'
         when t = '' or t in (select phrase from {{ ref('target_phrases') }} where kind = 'no_target') then 'none'
         else 'qualitative' end as target_kind,
    coalesce(target_number, try_cast(regexp_extract(t, '^([0-9]+(\.[0-9]+)?)', 1) as double)) as target_low,
    coalesce(target_number, try_cast(nullif(regexp_extract(t, {{ range_separators() }} || '([0-9]+(\.[0-9]+)?)', 1), '') as double),
             try_cast(regexp_extract(t, '^([0-9]+(\.[0-9]+)?)', 1) as double)) as target_high
from classified c
