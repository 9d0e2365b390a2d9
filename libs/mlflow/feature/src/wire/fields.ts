import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, MaxLength, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '@mreg/platform/runtime';

// The field kinds MLflow's request messages are made of, each one set of class-validator/class-transformer
// decorators, so that a message reads as its list of fields.

/** int64 fields arrive as numbers or as decimal strings (protobuf JSON allows both). */
const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,19}$/.test(value) ? Number(value) : value);
/** Ids that MLflow's clients send as numbers or strings (an experiment id, a version number). */
export const toText = ({ value }: { value: unknown }): unknown => (typeof value === 'number' ? String(value) : value);

/** A field that may be left out but not sent as null, with the checks of its kind. */
export const Optional = (...kind: PropertyDecorator[]): PropertyDecorator => applyDecorators(OptionalNotNull(), ...kind);

/** A string of at most `max` characters. */
export const Text = (max: number): PropertyDecorator => applyDecorators(IsString(), MaxLength(max));

/** An id of at most `max` characters, sent as a string or a number. */
export const IdText = (max: number): PropertyDecorator => applyDecorators(Transform(toText), IsString(), MaxLength(max));

/** An int64: a number or a decimal string. */
export const Int64 = (): PropertyDecorator => applyDecorators(Transform(toInt), IsInt());

/** A list of at most `max` nested messages, each validated as `message`. */
export const ListOf = (message: () => new () => object, max: number): PropertyDecorator => applyDecorators(IsArray(), ArrayMaxSize(max), ValidateNested({ each: true }), Type(message));

/** A list of at most `max` strings. */
export const TextList = (max: number): PropertyDecorator => applyDecorators(IsArray(), ArrayMaxSize(max), IsString({ each: true }));
