{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park.
-- Reported against recomputed, for every indicator of every system that has both: the form's 数值
-- against the value computed from the form's raw-data rows (HJ 274), or a statistics series of the
-- indicator's name against the value computed from its components (the other systems). Beyond rounding (relative var('eip_reconciliation_rel_tol'), or
-- var('eip_reconciliation_abs_tol') absolute below var('eip_reconciliation_abs_below')) is a finding.
select
    park_name,
    year,
    seq_no,
    indicator_name,
    unit,
    reported_value,
    computed_value,
    reported_value - computed_value as difference,
    {{ safe_divide('reported_value - computed_value', 'abs(computed_value)') }} as relative_difference,
    case when abs(computed_value) < {{ var('eip_reconciliation_abs_below') }} then {{ var('eip_reconciliation_abs_tol') }}
         else {{ var('eip_reconciliation_rel_tol') }} * abs(computed_value) end as tolerance,
    abs(reported_value - computed_value) <= case when abs(computed_value) < {{ var('eip_reconciliation_abs_below') }}
                                                 then {{ var('eip_reconciliation_abs_tol') }}
                                                 else {{ var('eip_reconciliation_rel_tol') }} * abs(computed_value) end + 1e-12
        as within_tolerance,
    source_file,
    source_sheet,
    source_cell,
    input_cells,
    system_code
from {{ ref('system_assessment') }}
where reported_value is not null and computed_value is not null and {{ changed_parks_only('park_name') }}
