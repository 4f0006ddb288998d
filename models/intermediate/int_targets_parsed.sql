-- Yearly targets of a government work report, parsed from their phrases (domain.md §3):
-- 增长5%以上 (growth ≥), 增长5%左右 (growth ≈), 达54% (level ≥), 超5亿美元 / 突破1600家 (level >),
-- 与经济增长同步 (relative), 完成上级下达任务 (qualitative).
with rows as (
    select park_name, year, label_key as indicator_name, label, unit, target_text,
           regexp_replace(coalesce(target_text, ''), '\s', '', 'g') as t,
           source_file, source_sheet, source_cell
    from {{ ref('int_observations_admitted') }}
    where template = 'targets'
),
kinds as (
    select *,
        case when regexp_matches(t, '同步') then 'relative'
             when regexp_matches(t, '(增长|增速|提高|下降|降低)[0-9]') then 'growth'
             when regexp_matches(t, '(达到|达|超过|超|突破|不低于|不少于|不超过|控制在|低于)[0-9]') then 'level'
             else 'qualitative' end as target_kind,
        try_cast(regexp_extract(t, '([0-9]+(\.[0-9]+)?)', 1) as double) as number,
        regexp_extract(t, '[0-9]+(\.[0-9]+)?(.*?)(以上|以下|左右|以内)?$', 2) as unit_in_text
    from rows
)
select
    k.park_name,
    k.year,
    k.indicator_name,
    k.label,
    k.target_text,
    k.target_kind,
    case when target_kind = 'growth' then
             case when regexp_matches(t, '(下降|降低)[0-9]') then
                      case when t like '%左右' then '≈' when t like '%以下' or t like '%以内' then '<=' else '>=' end
                  when t like '%左右' then '≈' when t like '%以下' or t like '%以内' then '<=' else '>=' end
         when target_kind = 'level' then
             case when regexp_matches(t, '(超过|超|突破)[0-9]') then '>'
                  when regexp_matches(t, '(不超过|控制在|以内)') or t like '%以下' then '<='
                  when regexp_matches(t, '低于[0-9]') and not regexp_matches(t, '不低于') then '<'
                  when t like '%左右' then '≈'
                  else '>=' end
         when target_kind = 'relative' then '>='
    end as comparator,
    -- a reduction target (下降3%) is a growth of −3 %
    case when target_kind = 'growth' and regexp_matches(t, '(下降|降低)[0-9]') then -number
         when target_kind in ('growth', 'level') then number end as target_value,
    case when target_kind = 'relative' then r.indicator_name end as reference_indicator,
    case when target_kind = 'level' then coalesce(nullif(k.unit, ''), nullif(k.unit_in_text, ''))
         when target_kind = 'growth' then '%' end as target_unit,
    k.source_file,
    k.source_sheet,
    k.source_cell
from kinds k
left join {{ ref('target_references') }} r on k.target_kind = 'relative' and contains(k.t, r.phrase)
qualify row_number() over (partition by k.park_name, k.year, k.indicator_name order by length(r.phrase) desc nulls last) = 1
