{% set formula_text %}case kind
            when 'reported' then num_terms || ', as reported'
            when 'ratio' then case when multiplier <> 1 then printf('%g', multiplier) || ' × ' else '' end
                              || num || ' / ' || den
            when 'growth' then case when multiplier <> 1 then printf('%g', multiplier) || ' × ' else '' end
                               || '(' || num || '_t / ' || num || '_' || reference || ')^(1/n) − 1'
            when 'growth_of_ratio' then case when multiplier <> 1 then printf('%g', multiplier) || ' × ' else '' end
                               || '((' || num || ' / ' || den || ')_t / (' || num || ' / ' || den || ')_' || reference || ')^(1/n) − 1'
            when 'elasticity' then 'annual growth of ' || num || ' / annual growth of ' || den || ', ' || reference || ' year → t'
            when 'reduction' then case when multiplier <> 1 then printf('%g', multiplier) || ' × ' else '' end
                               || '(1 − ((' || num || ' / ' || den || ')_t / (' || num || ' / ' || den || ')_' || reference || ')^(1/n))'
            else kind end{% endset %}
{% set requirement_text %}case t.condition
                when 'always' then ''
                when 'region_class' then t.condition_value || ': '
                when 'driver_growth' then 'driver growth ' || t.condition_value || ': '
                when 'component_range' then coalesce(c.label, t.condition_value) || ' in [' || coalesce(printf('%g', t.lower), '') || ', '
                                            || coalesce(printf('%g', t.upper), '') || '): '
                when 'dominant_industry' then 'one industry dominant: '
                else t.condition || ' ' || coalesce(t.condition_value, '') || ': ' end
            || case t.comparator
                when 'marker' then replace(t.pass_markers, '|', '/')
                when 'none' then 'no requirement'
                when 'external' then 'another standard'
                else coalesce(s.sign, t.comparator) || printf('%g', t.threshold) end
            || case t.or_trend when 'previous' then ' or improved on the previous year'
                               when 'period' then ' or improved every year of the period' else '' end{% endset %}
-- What every indicator of every system is, in one row: its name, unit, role and group, the formula
-- spelled in its components' labels and units, the threshold rules as text, the points and weights
-- where the system scores or ranks, the version in force, and the source. Read from the seeds only,
-- so it answers "what is indicator X" before any park has reported it.
with indicators as (
    select * from {{ ref('int_system_indicators') }}
),
rules as (
    select * from {{ ref('int_system_rules') }}
),
components as (
    select system_code, component_code, any_value(label) as label, any_value(unit) as unit
    from {{ ref('int_system_component_defs') }} group by all
),
args as (
    select f.system_code, f.indicator_code, f.kind, f.reference, f.multiplier, f.member_no, f.role,
           coalesce(c.label, f.component_code) || ' (' || coalesce(case when f.role = 'num' then f.numerator_unit end, c.unit, '—') || ')'
               || case when f.optional then '?' else '' end as term
    from {{ ref('int_system_formulas') }} f
    left join components c on c.system_code = f.system_code and c.component_code = f.component_code
),
sides as (
    select system_code, indicator_code, member_no, any_value(kind) as kind, any_value(reference) as reference,
           any_value(multiplier) as multiplier,
           {{ joined_in_order('term', "' + '", 'term', where="role = 'num'") }} as num_terms,
           {{ joined_in_order('term', "' + '", 'term', where="role = 'den'") }} as den_terms
    from args
    group by all
),
bracketed as (
    -- a sum is bracketed where it is divided or divides
    select *,
        case when contains(num_terms, ' + ') then '(' || num_terms || ')' else num_terms end as num,
        case when contains(den_terms, ' + ') then '(' || den_terms || ')' else den_terms end as den
    from sides
),
spelled as (
    select system_code, indicator_code,
        {{ joined_in_order(formula_text, "' | worst of | '", 'member_no') }} as formula
    from bracketed
    group by all
),
signs as (
    select * from (values ('>=', '≥'), ('<=', '≤'), ('>', '>'), ('<', '<'), ('=', '=')) s(comparator, sign)
),
threshold_text as (
    select t.system_code, t.indicator_code,
        {{ joined_in_order(requirement_text, "'; '", "coalesce(t.condition_value, '') || coalesce(printf('%012.4f', t.lower), '')") }} as requirement,
        any_value(t.source) as threshold_source
    from {{ ref('int_system_thresholds') }} t
    left join signs s on s.comparator = t.comparator
    left join components c on c.system_code = t.system_code and c.component_code = t.condition_value
    group by all
)
select
    i.system_code,
    r.version_of,
    case when r.in_force_from is not null or r.in_force_to is not null
         then coalesce(cast(r.in_force_from as varchar), '') || '–' || coalesce(cast(r.in_force_to as varchar), '') end as in_force_years,
    i.indicator_code,
    i.seq_no,
    i.category,
    i.indicator_name,
    i.unit,
    i.role,
    i.group_code,
    g.group_name,
    g.min_pass as group_min_pass,
    i.judged_on,
    coalesce(f.formula, 'as reported') as formula,
    t.requirement,
    i.points,
    case when i.points is not null then i.points_rule end as points_rule,
    i.weight,
    g.weight as group_weight,
    i.direction,
    i.benchmark,
    i.source,
    t.threshold_source
from indicators i
left join rules r on r.system_code = i.system_code
left join {{ ref('int_system_groups') }} g on g.system_code = i.system_code and g.group_code = i.group_code
left join spelled f on f.system_code = i.system_code and f.indicator_code = i.indicator_code
left join threshold_text t on t.system_code = i.system_code and t.indicator_code = i.indicator_code
