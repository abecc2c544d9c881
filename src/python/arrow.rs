//! Arrow across the Python boundary, through the Arrow PyCapsule interface
//! (<https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html>): objects with
//! `__arrow_c_stream__` (pyarrow ChunkedArray/Table/RecordBatchReader, polars Series/DataFrame,
//! DuckDB results …) or `__arrow_c_array__` (pyarrow Array) come in as arrow-rs arrays without
//! copying; results go out as an `arrow_array_stream` capsule that pyarrow, polars, pandas and
//! DuckDB read without copying. The C structures and their release callbacks are arrow-rs's own
//! (`arrow_array::ffi`, `arrow_array::ffi_stream`); this file only moves them in and out of
//! capsules.

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi_and_data_type};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator, make_array};
use arrow_schema::{DataType, SchemaRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// True when `obj` speaks the Arrow PyCapsule interface.
pub fn is_arrow(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__arrow_c_stream__").unwrap_or(false) || obj.hasattr("__arrow_c_array__").unwrap_or(false)
}

/// The arrays of an Arrow object (one per chunk) and their type.
pub fn import_arrays(obj: &Bound<'_, PyAny>) -> PyResult<(DataType, Vec<ArrayRef>)> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?.cast_into::<PyCapsule>()?;
        let ptr = capsule.pointer_checked(Some(STREAM))?.cast::<FFI_ArrowArrayStream>();
        // SAFETY: the capsule holds an ArrowArrayStream (its name says so); `from_raw` moves it
        // out and leaves a released one behind, as the PyCapsule interface asks of consumers.
        let mut stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr()) };
        return read_stream(&mut stream);
    }
    let pair = obj.call_method0("__arrow_c_array__")?.cast_into::<PyTuple>()?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err("__arrow_c_array__ must return (schema capsule, array capsule)"));
    }
    let schema_capsule = pair.get_item(0)?.cast_into::<PyCapsule>()?;
    let array_capsule = pair.get_item(1)?.cast_into::<PyCapsule>()?;
    let schema_ptr = schema_capsule.pointer_checked(Some(SCHEMA))?.cast::<FFI_ArrowSchema>();
    let array_ptr = array_capsule.pointer_checked(Some(ARRAY))?.cast::<FFI_ArrowArray>();
    // SAFETY: the schema capsule holds an ArrowSchema, borrowed here (its capsule releases it).
    let schema = unsafe { schema_ptr.as_ref() };
    let data_type = DataType::try_from(schema).map_err(value_error)?;
    // SAFETY: the array capsule holds an ArrowArray of that schema; `from_raw` moves it out.
    let array = unsafe { FFI_ArrowArray::from_raw(array_ptr.as_ptr()) };
    // SAFETY: the array matches `data_type`, read from its own schema.
    let data = unsafe { from_ffi_and_data_type(array, data_type.clone()) }.map_err(value_error)?;
    Ok((data_type, vec![make_array(data)]))
}

/// Reads every array of a C stream. Streams of any type are read (a ChunkedArray's stream is of
/// strings, not of record batches, so arrow-rs's `ArrowArrayStreamReader` does not fit).
fn read_stream(stream: &mut FFI_ArrowArrayStream) -> PyResult<(DataType, Vec<ArrayRef>)> {
    let (Some(get_schema), Some(get_next)) = (stream.get_schema, stream.get_next) else {
        return Err(PyValueError::new_err("the Arrow stream is released"));
    };
    let mut schema = FFI_ArrowSchema::empty();
    // SAFETY: a live stream's callbacks, called as the C stream interface specifies.
    let rc = unsafe { get_schema(stream, &mut schema) };
    if rc != 0 {
        return Err(stream_error(stream, rc));
    }
    let data_type = DataType::try_from(&schema).map_err(value_error)?;
    let mut arrays = Vec::new();
    loop {
        let mut array = FFI_ArrowArray::empty();
        // SAFETY: as above; `array` is ours to release (its Drop does).
        let rc = unsafe { get_next(stream, &mut array) };
        if rc != 0 {
            return Err(stream_error(stream, rc));
        }
        if array.is_released() {
            break; // the end of the stream
        }
        // SAFETY: every array of the stream has the stream's type.
        let data = unsafe { from_ffi_and_data_type(array, data_type.clone()) }.map_err(value_error)?;
        arrays.push(make_array(data));
    }
    Ok((data_type, arrays))
}

fn stream_error(stream: &mut FFI_ArrowArrayStream, rc: i32) -> PyErr {
    let message = stream
        .get_last_error
        // SAFETY: the stream's own error callback; the string lives until the next call.
        .map(|f| unsafe { f(stream) })
        .filter(|p| !p.is_null())
        // SAFETY: a NUL-terminated string owned by the stream.
        .map(|p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("error code {rc}"));
    PyValueError::new_err(format!("reading the Arrow stream failed: {message}"))
}

fn value_error(e: arrow_schema::ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// An `arrow_array_stream` capsule over `batches` (the consumer takes the stream out of it; the
/// capsule releases it when nobody did).
pub fn export_stream<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new_with_value(py, stream, STREAM)
}

/// The schema as an `arrow_schema` capsule (`__arrow_c_schema__`).
pub fn export_schema<'py>(py: Python<'py>, schema: &SchemaRef) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(Arc::clone(schema).as_ref()).map_err(value_error)?;
    PyCapsule::new_with_value(py, ffi, SCHEMA)
}
