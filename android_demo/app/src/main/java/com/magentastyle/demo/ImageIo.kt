package com.magentastyle.demo

import android.content.ContentValues
import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import android.media.ExifInterface
import android.media.MediaScannerConnection
import android.net.Uri
import android.os.Build
import android.os.Environment
import android.provider.MediaStore
import androidx.core.content.FileProvider
import java.io.File
import java.io.FileNotFoundException
import java.io.FileOutputStream
import java.io.IOException
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import kotlin.math.max
import kotlin.math.min
import kotlin.math.roundToInt

/** Decoding photos, saving results to the gallery and sharing them. All calls block: use a background thread. */
object ImageIo {
    private const val GALLERY_FOLDER = "MagentaStyle"
    private const val JPEG_QUALITY = 95

    private fun authority(context: Context) = "${context.packageName}.fileprovider"

    /**
     * Decodes an image, applies its EXIF orientation and scales it so that the long side is at
     * most [maxSide]. Always ARGB_8888 (what Bitmap.getPixels and the core expect).
     */
    fun decode(context: Context, uri: Uri, maxSide: Int): Bitmap {
        val resolver = context.contentResolver
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        openStream(context, uri).use { BitmapFactory.decodeStream(it, null, bounds) }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) {
            throw IOException("not a readable image: $uri")
        }
        var sample = 1
        while (max(bounds.outWidth, bounds.outHeight) / (sample * 2) >= maxSide) {
            sample *= 2
        }
        val options = BitmapFactory.Options().apply {
            inSampleSize = sample
            inPreferredConfig = Bitmap.Config.ARGB_8888
        }
        val decoded = openStream(context, uri).use { BitmapFactory.decodeStream(it, null, options) }
            ?: throw IOException("could not decode image: $uri")

        val orientation = try {
            resolver.openInputStream(uri)?.use {
                ExifInterface(it).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)
            } ?: ExifInterface.ORIENTATION_NORMAL
        } catch (e: Exception) {
            ExifInterface.ORIENTATION_NORMAL
        }

        val matrix = Matrix()
        when (orientation) {
            ExifInterface.ORIENTATION_ROTATE_90 -> matrix.postRotate(90f)
            ExifInterface.ORIENTATION_ROTATE_180 -> matrix.postRotate(180f)
            ExifInterface.ORIENTATION_ROTATE_270 -> matrix.postRotate(270f)
            ExifInterface.ORIENTATION_FLIP_HORIZONTAL -> matrix.postScale(-1f, 1f)
            ExifInterface.ORIENTATION_FLIP_VERTICAL -> matrix.postScale(1f, -1f)
            ExifInterface.ORIENTATION_TRANSPOSE -> {
                matrix.postRotate(90f)
                matrix.postScale(-1f, 1f)
            }
            ExifInterface.ORIENTATION_TRANSVERSE -> {
                matrix.postRotate(270f)
                matrix.postScale(-1f, 1f)
            }
        }
        val longSide = max(decoded.width, decoded.height)
        if (longSide > maxSide) {
            val s = maxSide.toFloat() / longSide
            matrix.postScale(s, s)
        }
        val result = if (matrix.isIdentity) {
            decoded
        } else {
            Bitmap.createBitmap(decoded, 0, 0, decoded.width, decoded.height, matrix, true).also {
                if (it !== decoded) decoded.recycle()
            }
        }
        return if (result.config == Bitmap.Config.ARGB_8888) {
            result
        } else {
            result.copy(Bitmap.Config.ARGB_8888, false).also { result.recycle() }
        }
    }

    private fun openStream(context: Context, uri: Uri) =
        context.contentResolver.openInputStream(uri) ?: throw FileNotFoundException("cannot open $uri")

    /** Scales a bitmap to exactly [width] x [height] (bilinear). */
    fun scale(source: Bitmap, width: Int, height: Int): Bitmap =
        if (source.width == width && source.height == height) source
        else Bitmap.createScaledBitmap(source, width, height, true)

    /** [source] turned clockwise by [degrees] (a camera frame's rotationDegrees: 0, 90, 180 or 270). */
    fun rotate(source: Bitmap, degrees: Int): Bitmap =
        if (degrees % 360 == 0) source
        else Bitmap.createBitmap(source, 0, 0, source.width, source.height,
            Matrix().apply { postRotate(degrees.toFloat()) }, true)

    /** The largest central square of [source] (what the style predictor sees), scaled to [side] x [side]. */
    fun centerSquare(source: Bitmap, side: Int): Bitmap {
        val crop = min(source.width, source.height)
        val square = Bitmap.createBitmap(source, (source.width - crop) / 2, (source.height - crop) / 2, crop, crop)
        return scale(square, side, side).also { if (it !== square && square !== source) square.recycle() }
    }

    /** A fresh content:// uri in the cache for the camera app to write a photo to. */
    fun newCameraUri(context: Context): Uri {
        val dir = File(context.cacheDir, "camera").apply { mkdirs() }
        // Keep only the latest few captures.
        dir.listFiles()?.sortedByDescending { it.lastModified() }?.drop(3)?.forEach { it.delete() }
        val file = File(dir, "photo_${timestamp()}.jpg")
        return FileProvider.getUriForFile(context, authority(context), file)
    }

    /** Saves [bitmap] as a JPEG in Pictures/MagentaStyle and returns its display name. */
    fun saveToGallery(context: Context, bitmap: Bitmap): String {
        val name = "magenta_style_${timestamp()}.jpg"
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
            val resolver = context.contentResolver
            val values = ContentValues().apply {
                put(MediaStore.MediaColumns.DISPLAY_NAME, name)
                put(MediaStore.MediaColumns.MIME_TYPE, "image/jpeg")
                put(MediaStore.MediaColumns.RELATIVE_PATH, "${Environment.DIRECTORY_PICTURES}/$GALLERY_FOLDER")
                put(MediaStore.MediaColumns.IS_PENDING, 1)
            }
            val collection = MediaStore.Images.Media.getContentUri(MediaStore.VOLUME_EXTERNAL_PRIMARY)
            val uri = resolver.insert(collection, values) ?: throw IOException("MediaStore refused the new image")
            try {
                resolver.openOutputStream(uri)?.use { out ->
                    if (!bitmap.compress(Bitmap.CompressFormat.JPEG, JPEG_QUALITY, out)) {
                        throw IOException("JPEG encoding failed")
                    }
                } ?: throw IOException("cannot write $uri")
                resolver.update(uri, ContentValues().apply { put(MediaStore.MediaColumns.IS_PENDING, 0) }, null, null)
            } catch (e: Exception) {
                resolver.delete(uri, null, null)
                throw e
            }
        } else {
            // Android 9 and older: write the file (WRITE_EXTERNAL_STORAGE granted by the caller), then index it.
            @Suppress("DEPRECATION")
            val dir = File(Environment.getExternalStoragePublicDirectory(Environment.DIRECTORY_PICTURES), GALLERY_FOLDER)
            if (!dir.isDirectory && !dir.mkdirs()) throw IOException("cannot create $dir")
            val file = File(dir, name)
            FileOutputStream(file).use { out ->
                if (!bitmap.compress(Bitmap.CompressFormat.JPEG, JPEG_QUALITY, out)) {
                    throw IOException("JPEG encoding failed")
                }
            }
            MediaScannerConnection.scanFile(context, arrayOf(file.absolutePath), arrayOf("image/jpeg"), null)
        }
        return name
    }

    /** Writes [bitmap] to the share cache and returns a content:// uri other apps may read. */
    fun writeShareFile(context: Context, bitmap: Bitmap): Uri {
        val dir = File(context.cacheDir, "shared").apply { mkdirs() }
        val file = File(dir, "stylized.jpg")
        FileOutputStream(file).use { out ->
            if (!bitmap.compress(Bitmap.CompressFormat.JPEG, JPEG_QUALITY, out)) {
                throw IOException("JPEG encoding failed")
            }
        }
        return FileProvider.getUriForFile(context, authority(context), file)
    }

    /** A small bitmap for the strip, sampled down to about [targetSide] pixels. */
    fun decodeThumbnail(bytes: ByteArray, targetSide: Int): Bitmap? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return null
        var sample = 1
        while (max(bounds.outWidth, bounds.outHeight) / (sample * 2) >= targetSide) sample *= 2
        val bitmap = BitmapFactory.decodeByteArray(bytes, 0, bytes.size, BitmapFactory.Options().apply { inSampleSize = sample })
            ?: return null
        val longSide = max(bitmap.width, bitmap.height)
        if (longSide <= targetSide * 2) return bitmap
        val s = targetSide.toFloat() / longSide
        return Bitmap.createScaledBitmap(bitmap, (bitmap.width * s).roundToInt().coerceAtLeast(1),
            (bitmap.height * s).roundToInt().coerceAtLeast(1), true)
    }

    private fun timestamp(): String = SimpleDateFormat("yyyyMMdd_HHmmss_SSS", Locale.US).format(Date())
}
